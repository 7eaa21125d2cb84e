//! The typo table of symmetric-delete spelling correction: which known words
//! give the same string once one or two letters are deleted.

/// Pairs (hash of a word with letters deleted, token), sorted by hash, with
/// a directory on the hashes' top bits. A lookup reads one directory slot
/// and a few neighbouring pairs, where a binary search over the whole table
/// (100,424 pairs for Paris) waited on the memory load of each probe;
/// a query looks up dozens of hashes per word.
#[derive(Debug)]
pub(crate) struct TypoTable {
    pairs: Vec<(u32, u32)>,
    /// `pairs[starts[s]..starts[s + 1]]` are the pairs whose hash has `s`
    /// in its top bits.
    starts: Vec<u32>,
    shift: u32,
}

impl TypoTable {
    /// The table of `pairs`, in any order, duplicates allowed.
    pub(crate) fn new(mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.sort_unstable();
        pairs.dedup();
        // One to two pairs per slot on average.
        let bits = (usize::BITS - (pairs.len() / 2).leading_zeros()).min(28);
        let shift = 32 - bits;
        let slots = 1usize << bits;
        let mut starts = Vec::with_capacity(slots + 1);
        let mut i = 0;
        for slot in 0..=slots {
            while i < pairs.len() && slot_of(pairs[i].0, shift) < slot {
                i += 1;
            }
            starts.push(u32::try_from(i).expect("fewer than 4 billion typo pairs"));
        }
        Self {
            pairs,
            starts,
            shift,
        }
    }

    /// The tokens paired with `hash`, ascending.
    pub(crate) fn tokens(&self, hash: u32) -> impl Iterator<Item = u32> + '_ {
        let slot = slot_of(hash, self.shift);
        let (lo, hi) = (self.starts[slot] as usize, self.starts[slot + 1] as usize);
        self.pairs[lo..hi]
            .iter()
            .filter(move |&&(h, _)| h == hash)
            .map(|&(_, t)| t)
    }

    /// Bytes on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.pairs.capacity() * std::mem::size_of::<(u32, u32)>()
            + self.starts.capacity() * std::mem::size_of::<u32>()
    }
}

fn slot_of(hash: u32, shift: u32) -> usize {
    // `u64` so that a shift of 32 (an empty table, one slot) is defined.
    (u64::from(hash) >> shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answers as a scan of all pairs, for tables of many sizes,
    /// with hashes spread over all 32 bits and clustered in a few.
    #[test]
    fn lookups_match_a_scan() {
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for n in [0usize, 1, 2, 3, 7, 100, 5_000] {
            for spread in [u32::MAX, 0xff, 0xffff_0000] {
                let pairs: Vec<(u32, u32)> =
                    (0..n).map(|_| (next() & spread, next() % 50)).collect();
                let table = TypoTable::new(pairs.clone());
                let mut probes: Vec<u32> = pairs.iter().map(|p| p.0).collect();
                probes.extend((0..200).map(|_| next() & spread));
                probes.extend([0, u32::MAX]);
                for h in probes {
                    let mut expected: Vec<u32> =
                        pairs.iter().filter(|p| p.0 == h).map(|p| p.1).collect();
                    expected.sort_unstable();
                    expected.dedup();
                    assert_eq!(
                        table.tokens(h).collect::<Vec<_>>(),
                        expected,
                        "n {n}, hash {h}"
                    );
                }
            }
        }
    }
}
