//! Import files read from disk without trusting them: text is checked as it
//! streams in, so that a hostile file (a NUL byte, a 1 GB line, Latin-1, a
//! cut-off download) is refused after at most 1 MiB of it, not read whole.
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use passerelle_geocode::{TextGuard, TextProblem};
use passerelle_sectors::{MAX_MAP_BYTES, SectorError};

use passerelle_app::Error;

fn open(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|source| io_error(path, source))
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    match TextProblem::of(&source) {
        Some(problem) => Error::Refused(problem.to_string()),
        None => Error::Io {
            path: path.display().to_string(),
            source,
        },
    }
}

/// A text import (CSV, iCalendar), checked line by line: UTF-8, no NUL
/// byte, lines of at most 1 MiB, a line break at the end. Gzip files pass
/// as they are: their readers check the text once it is decompressed.
pub(super) fn read_text(path: &Path) -> Result<Vec<u8>, Error> {
    let mut reader = BufReader::with_capacity(1 << 16, open(path)?);
    let gzip = reader
        .fill_buf()
        .map_err(|source| io_error(path, source))?
        .starts_with(&[0x1f, 0x8b]);
    let mut bytes = Vec::new();
    let read = if gzip {
        reader.read_to_end(&mut bytes)
    } else {
        TextGuard::new(reader).strict().read_to_end(&mut bytes)
    };
    read.map_err(|source| io_error(path, source))?;
    Ok(bytes)
}

/// A GeoJSON map: one JSON document, whose lines may be long, so only its
/// size is limited ([`MAX_MAP_BYTES`]), before anything is read.
pub(super) fn read_map(path: &Path) -> Result<Vec<u8>, Error> {
    let file = open(path)?;
    let too_large = |bytes: u64| {
        Error::Refused(
            SectorError::TooLarge {
                bytes,
                max: MAX_MAP_BYTES,
            }
            .to_string(),
        )
    };
    let size = file
        .metadata()
        .map_err(|source| io_error(path, source))?
        .len();
    if size > MAX_MAP_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // The file may grow while it is read: never take more than the limit.
    file.take(MAX_MAP_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, source))?;
    if bytes.len() as u64 > MAX_MAP_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}
