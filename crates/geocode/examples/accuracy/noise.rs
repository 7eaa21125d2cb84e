//! Misspells a BAN address the way people type it. Shared by the accuracy
//! example and the integration test (through `#[path]`).

use passerelle_geocode::BanAddress;
use rand::Rng;
use rand::seq::IndexedRandom;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

const TYPES: &[(&str, &[&str])] = &[
    ("Rue", &["r", "R.", "rue", "RUE"]),
    ("Boulevard", &["bd", "Bd", "boul", "BD"]),
    ("Avenue", &["av", "Av.", "ave", "AV"]),
    ("Place", &["pl", "Pl."]),
    ("Impasse", &["imp", "Imp."]),
    ("Square", &["sq"]),
    ("Passage", &["pass", "Pass."]),
    ("Allée", &["all", "allee"]),
    ("Quai", &["q", "Q."]),
    ("Cours", &["crs"]),
    ("Route", &["rte"]),
    ("Chemin", &["ch"]),
    ("Faubourg", &["fbg", "Fg"]),
    ("Saint", &["St", "st"]),
    ("Sainte", &["Ste", "ste"]),
];

fn strip_accents(s: &str) -> String {
    s.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

fn typo(word: &str, rng: &mut impl Rng) -> String {
    let mut c: Vec<char> = word.chars().collect();
    let i = rng.random_range(1..c.len() - 1);
    let letter = (b'a' + rng.random_range(0..26u8)) as char;
    match rng.random_range(0..4) {
        0 => c[i] = letter,
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, letter),
        _ => c.swap(i, i + 1),
    }
    c.into_iter().collect()
}

/// "Paris 11e Arrondissement" → ("Paris", Some(11)).
fn city_parts(city: &str) -> (&str, Option<u32>) {
    let mut words = city.split(' ');
    let name = words.next().unwrap_or(city);
    let arr = words
        .next()
        .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_digit()))
        .and_then(|d| d.parse().ok());
    (name, arr)
}

/// A noisy query for `a`, and the kinds of noise it carries.
pub fn noisy_query(
    a: &BanAddress,
    postcodes: &[String],
    rng: &mut impl Rng,
) -> (String, Vec<&'static str>) {
    let mut kinds = Vec::new();

    let mut number = a.housenumber.to_string();
    if let Some(rep) = &a.rep {
        let forms: Vec<String> = match rep.as_str() {
            "b" | "bis" => vec![
                " bis".into(),
                "bis".into(),
                "b".into(),
                " B".into(),
                " b".into(),
            ],
            "t" | "ter" => vec![" ter".into(), "ter".into(), " t".into()],
            r => vec![r.into(), format!(" {}", r.to_uppercase())],
        };
        let form = forms.choose(rng).expect("forms");
        if rng.random_bool(0.7) {
            kinds.push("rep-variant");
        }
        number.push_str(form);
    }

    let mut words: Vec<String> = a.street.split(' ').map(str::to_string).collect();
    if rng.random_bool(0.4) {
        let mut done = false;
        for w in &mut words {
            if let Some((_, short)) = TYPES.iter().find(|(full, _)| *w == *full) {
                *w = (*short.choose(rng).expect("forms")).to_string();
                done = true;
            }
        }
        if done {
            kinds.push("abbreviation");
        }
    }
    if rng.random_bool(0.1) && words.len() > 2 {
        let before = words.len();
        words.retain(|w| !matches!(w.as_str(), "de" | "la" | "du" | "des" | "le" | "les"));
        if words.len() < before {
            kinds.push("no-stopwords");
        }
    }
    if rng.random_bool(0.3) {
        let long: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].chars().count() >= 5 && words[i].chars().all(char::is_alphabetic))
            .collect();
        if let Some(&i) = long.choose(rng) {
            words[i] = typo(&words[i], rng);
            kinds.push("typo");
        }
    }
    let mut street = words.join(" ");
    if rng.random_bool(0.3) {
        street = if street.contains('-') {
            street.replace('-', " ")
        } else {
            street.replacen(' ', "-", 1)
        };
        kinds.push("hyphen");
    }

    let (city, arr) = city_parts(&a.city);
    let location = match rng.random_range(0..10) {
        0..=2 => {
            kinds.push("postcode-city");
            format!("{} {city}", a.postcode)
        }
        3 | 4 => {
            kinds.push("no-location");
            String::new()
        }
        5 => {
            kinds.push("wrong-postcode");
            let other = postcodes
                .iter()
                .filter(|p| **p != a.postcode)
                .collect::<Vec<_>>();
            format!(
                "{} {city}",
                other.choose(rng).map_or("75000", |p| p.as_str())
            )
        }
        6 | 7 if arr.is_some() => {
            kinds.push("city-ordinal");
            let n = arr.unwrap_or(1);
            match (n, rng.random_range(0..3)) {
                (1, _) => format!("{city} 1er"),
                (_, 0) => format!("{city} {n}e"),
                (_, 1) => format!("{city} {n}ème"),
                _ => format!("{city} {n}"),
            }
        }
        _ => {
            kinds.push("postcode-only");
            a.postcode.clone()
        }
    };

    let mut q = if rng.random_bool(0.3) {
        kinds.push("punctuation");
        let sep = *[", ", " , ", ". ", "  "].choose(rng).expect("seps");
        format!(
            "{number}{sep}{street}{} {location}",
            [",", "", " -"].choose(rng).expect("x")
        )
    } else {
        format!("{number} {street} {location}")
    };
    if rng.random_bool(0.5) {
        q = strip_accents(&q);
        kinds.push("accents");
    }
    let case = rng.random_range(0..10);
    match case {
        0..=3 => q = q.to_lowercase(),
        4 | 5 => q = q.to_uppercase(),
        6 => {
            q = q
                .chars()
                .map(|c| {
                    if rng.random_bool(0.5) {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect()
        }
        _ => {}
    }
    if case <= 6 {
        kinds.push("case");
    }
    (q.trim().to_string(), kinds)
}

/// Great-circle distance in metres.
pub fn metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}
