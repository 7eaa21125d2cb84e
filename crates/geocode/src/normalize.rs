//! Text normalisation shared by the BAN index, the queries and the carte
//! scolaire, so that each side folds the same way.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercases, strips accents and turns everything but letters and digits
/// into spaces: "Rue de l'Église-Saint-Léon" → "rue de l eglise saint leon".
///
/// ```
/// assert_eq!(passerelle_geocode::fold("Œuvre  d'Orléans-Saint-Jean"), "oeuvre  d orleans saint jean");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            });
            continue;
        }
        // Letters that NFD does not decompose into a base letter.
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            _ => {
                for d in std::iter::once(c).nfd() {
                    if is_combining_mark(d) {
                        continue;
                    }
                    if d.is_alphanumeric() {
                        out.extend(d.to_lowercase());
                    } else {
                        out.push(' ');
                    }
                }
            }
        }
    }
    out
}

const STOPWORDS: &[&str] = &[
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les",
];

pub(crate) fn is_stopword(token: &str) -> bool {
    STOPWORDS.contains(&token)
}

/// Abbreviation → full word(s), both as people type them and as some
/// official files write them. Applied to the index and the queries alike.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("all", "allee"),
    ("arr", "arrondissement"),
    ("av", "avenue"),
    ("ave", "avenue"),
    ("avn", "avenue"),
    ("bd", "boulevard"),
    ("bld", "boulevard"),
    ("blvd", "boulevard"),
    ("boul", "boulevard"),
    ("boulv", "boulevard"),
    ("bvd", "boulevard"),
    ("carr", "carrefour"),
    ("cdt", "commandant"),
    ("ch", "chemin"),
    ("che", "chemin"),
    ("chem", "chemin"),
    ("chs", "chaussee"),
    ("cne", "capitaine"),
    ("crs", "cours"),
    ("ctre", "centre"),
    ("dr", "docteur"),
    ("esp", "esplanade"),
    ("fbg", "faubourg"),
    ("fg", "faubourg"),
    ("gal", "general"),
    ("gde", "grande"),
    ("gen", "general"),
    ("hab", "habitations"),
    ("ham", "hameau"),
    ("imp", "impasse"),
    ("lt", "lieutenant"),
    ("mal", "marechal"),
    ("mgr", "monseigneur"),
    ("mte", "montee"),
    ("nd", "notre dame"),
    ("pass", "passage"),
    ("pdt", "president"),
    ("pl", "place"),
    ("prof", "professeur"),
    ("prom", "promenade"),
    ("psg", "passage"),
    ("pte", "porte"),
    ("q", "quai"),
    ("r", "rue"),
    ("rdpt", "rond point"),
    ("res", "residence"),
    ("resid", "residence"),
    ("rpt", "rond point"),
    ("rte", "route"),
    ("sent", "sentier"),
    ("sq", "square"),
    ("st", "saint"),
    ("ste", "sainte"),
    ("sts", "saints"),
    ("vla", "villa"),
];

/// Words that say what kind of street it is but not which one.
const STREET_TYPES: &[&str] = &[
    "allee",
    "avenue",
    "boulevard",
    "carrefour",
    "chaussee",
    "chemin",
    "cite",
    "cour",
    "cours",
    "dit",
    "esplanade",
    "galerie",
    "hameau",
    "impasse",
    "lieu",
    "lotissement",
    "montee",
    "parvis",
    "passage",
    "place",
    "point",
    "promenade",
    "quai",
    "residence",
    "rond",
    "route",
    "rue",
    "ruelle",
    "sentier",
    "square",
    "traverse",
    "venelle",
    "villa",
    "voie",
];

pub(crate) fn is_street_type(token: &str) -> bool {
    STREET_TYPES.binary_search(&token).is_ok()
}

pub(crate) fn abbreviation(token: &str) -> Option<&'static str> {
    ABBREVIATIONS
        .binary_search_by(|(k, _)| k.cmp(&token))
        .ok()
        .map(|i| ABBREVIATIONS[i].1)
}

/// "11e", "11eme", "1er", "2nd" → "11e", "11e", "1e", "2e".
pub(crate) fn ordinal(token: &str) -> Option<String> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let suffix = &token[digits..];
    if !matches!(suffix, "e" | "er" | "ere" | "eme" | "ieme" | "nd" | "nde") {
        return None;
    }
    let n: u32 = token[..digits].parse().ok()?;
    Some(format!("{n}e"))
}

/// One folded token after abbreviation expansion and ordinal folding.
/// Pushes one or two words ("nd" → "notre", "dame").
pub(crate) fn canonical_into(token: &str, out: &mut Vec<String>) {
    if let Some(o) = ordinal(token) {
        out.push(o);
    } else if let Some(full) = abbreviation(token) {
        out.extend(full.split(' ').map(str::to_string));
    } else if token.bytes().all(|b| b.is_ascii_digit()) {
        // "007" and "7" are the same number in a street name.
        let trimmed = token.trim_start_matches('0');
        out.push(if trimmed.is_empty() { "0" } else { trimmed }.to_string());
    } else {
        out.push(token.to_string());
    }
}

/// Every canonical word of a text, stopwords included (they are marked by
/// [`is_stopword`] and kept because they help to break ties).
pub(crate) fn words(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out = Vec::new();
    for t in folded.split_whitespace() {
        canonical_into(t, &mut out);
    }
    out
}

/// The key under which a street name is matched exactly: canonical words
/// without stopwords, so "R DE PARIS" and "Rue de Paris" meet.
pub(crate) fn street_key(text: &str) -> String {
    let mut key = String::new();
    for w in words(text).iter().filter(|w| !is_stopword(w)) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(w);
    }
    key
}

/// Canonical form of an "indice de répétition": "bis" and "b" are one.
pub(crate) fn canonical_rep(rep: &str) -> String {
    let r = fold(rep).replace(' ', "");
    match r.as_str() {
        "bis" => "b".into(),
        "ter" => "t".into(),
        "quater" => "q".into(),
        "quinquies" => "c".into(),
        _ => r,
    }
}

/// Rank of a repetition index, to order "12" < "12 bis" < "12 ter" and
/// "12 A" < "12 B": none 0, letters by alphabet except t and q, which the
/// BAN uses for ter and quater. Unknown forms rank last.
pub(crate) fn rep_rank(rep: Option<&str>) -> u8 {
    let Some(rep) = rep else { return 0 };
    let r = canonical_rep(rep);
    let mut bytes = r.bytes();
    match (bytes.next(), bytes.next()) {
        (None, _) => 0,
        (Some(b't'), None) => 3,
        (Some(b'q'), None) => 4,
        (Some(c @ b'a'..=b'z'), None) => c - b'a' + 1,
        _ => 254,
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps),
/// giving up above `max`.
pub(crate) fn osa_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[n] <= max).then_some(prev[n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(STREET_TYPES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn fold_strips_accents_case_and_punctuation() {
        assert_eq!(
            fold("Allée GÉNÉRAL-Lemonnier, n°3"),
            "allee general lemonnier  n 3"
        );
        assert_eq!(fold("Cloÿs"), "cloys");
        assert_eq!(fold("Sœur Rosalie"), "soeur rosalie");
    }

    #[test]
    fn words_expand_abbreviations_ordinals_and_plurals() {
        assert_eq!(words("Bd St-Germain"), ["boulevard", "saint", "germain"]);
        assert_eq!(words("R. des Rosiers"), ["rue", "des", "rosiers"]);
        assert_eq!(
            words("Paris 1er Arrondissement"),
            ["paris", "1e", "arrondissement"]
        );
        assert_eq!(words("Paris 11ème"), ["paris", "11e"]);
        assert_eq!(
            words("Pl. ND des Victoires"),
            ["place", "notre", "dame", "des", "victoires"]
        );
        assert_eq!(words("Rue du 08 Mai"), ["rue", "du", "8", "mai"]);
    }

    #[test]
    fn street_keys_meet_across_spellings() {
        assert_eq!(street_key("R DE PARIS"), street_key("Rue de Paris"));
        assert_eq!(
            street_key("RUE DE SAINT BRIEUC"),
            street_key("Rue Saint-Brieuc")
        );
        assert_eq!(
            street_key("CHEMIN DE L OURME"),
            street_key("Chemin de l'Ourme")
        );
        assert_ne!(street_key("Rue de Paris"), street_key("Avenue de Paris"));
    }

    #[test]
    fn repetition_indexes_rank_in_address_order() {
        assert_eq!(rep_rank(None), 0);
        assert_eq!(rep_rank(Some("bis")), rep_rank(Some("B")));
        assert_eq!(rep_rank(Some("ter")), rep_rank(Some("t")));
        assert!(rep_rank(Some("a")) < rep_rank(Some("bis")));
        assert!(rep_rank(Some("bis")) < rep_rank(Some("ter")));
        assert!(rep_rank(Some("ter")) < rep_rank(Some("quater")));
        assert_eq!(rep_rank(Some("p1")), 254);
    }

    #[test]
    fn osa_counts_swaps_as_one_edit() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(osa_distance(&c("roquette"), &c("roqeutte"), 2), Some(1));
        assert_eq!(osa_distance(&c("roquette"), &c("roquete"), 2), Some(1));
        assert_eq!(osa_distance(&c("roquette"), &c("roquettes"), 2), Some(1));
        assert_eq!(osa_distance(&c("roquette"), &c("raquetta"), 1), None);
        assert_eq!(osa_distance(&c("roquette"), &c("raquetta"), 2), Some(2));
        assert_eq!(osa_distance(&c("abc"), &c("abcdef"), 2), None);
    }
}
