use super::*;

const HEAD: &str = "code_insee;Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;\
        No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique\n";

fn carte(rows: &str) -> (CarteScolaire, CarteReport) {
    CarteScolaire::read(format!("{HEAD}{rows}").as_bytes()).unwrap()
}

#[test]
fn shared_ranges_are_one_sector_with_several_colleges() {
    let (c, r) = carte(
        "35238;ALLEE BISSON;1;;9999;;PI;0350895H;N\n\
             35238;ALLEE BISSON;1;;9999;;PI;0351638R;N\n\
             35353;;;;;;;0351796M;O\n\
             35353;;;;;;;0350895H;O\n",
    );
    assert_eq!(
        c.resolve("35238", "Allée Bisson", 7).uais(),
        ["0350895H", "0351638R"]
    );
    assert_eq!(
        c.resolve("35353", "Rue X", 1).uais(),
        ["0350895H", "0351796M"]
    );
    assert_eq!(r.shared.len(), 2);
    assert!(r.conflicts.is_empty());
}

#[test]
fn overlapping_ranges_with_different_colleges_are_reported_and_never_resolved() {
    let (c, r) = carte(
        "35238;LIEU DIT LES 5 CHEMINS;1;;9999;;I;0351796M;N\n\
             35238;LIEU DIT LES 5 CHEMINS;1;;9999;;PI;0350760L;N\n\
             35238;RUE DE VERN;2;;138;;P;0350965J;N\n\
             35238;RUE DE VERN;144;;168;;P;0350963G;N\n\
             35238;RUE DE VERN;113;;213;;I;0350963G;N\n",
    );
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.conflicts[0].lines, [2, 3]);
    assert_eq!(
        c.resolve("35238", "Lieu-dit les Cinq Chemins", 3),
        Resolution::StreetNotFound
    );
    assert_eq!(
        c.resolve("35238", "lieu dit les 5 chemins", 3),
        Resolution::Conflict {
            uais: vec!["0350760L".into(), "0351796M".into()],
            lines: vec![2, 3]
        }
    );
    // Even numbers are only in the second row.
    assert_eq!(
        c.resolve("35238", "lieu dit les 5 chemins", 4).uais(),
        ["0350760L"]
    );
    assert_eq!(c.resolve("35238", "Rue de Vern", 138).uais(), ["0350965J"]);
    assert_eq!(
        c.resolve("35238", "Rue de Vern", 140),
        Resolution::NumberNotCovered
    );
    assert_eq!(c.resolve("35238", "Rue de Vern", 113).uais(), ["0350963G"]);
}

#[test]
fn overlap_needs_a_common_number_of_a_common_parity() {
    let range = |a: u32, b: u32, parity| Range {
        start: (a, 0),
        end: (b, u8::MAX),
        parity,
        uais: vec![],
        lines: vec![],
    };
    use Parity::*;
    assert!(range(1, 9, Both).overlaps(&range(9, 20, Odd)));
    assert!(!range(1, 8, Both).overlaps(&range(9, 20, Odd)));
    assert!(!range(1, 9, Odd).overlaps(&range(1, 9, Even)));
    assert!(!range(1, 10, Both).overlaps(&range(10, 20, Odd)));
    assert!(range(1, 10, Both).overlaps(&range(10, 20, Even)));
}

#[test]
fn bounds_with_repetition_indexes_and_open_ends() {
    let (c, _) = carte(
        "35238;RUE DU BOIS RONDEL;2;A;18;;P;0350913C;N\n\
             35238;RUE GUY ROPARTZ;2;;34;B;P;0350027P;N\n\
             35238;RUE DE NANTES;;;;;;0350734H;N\n",
    );
    assert_eq!(
        c.resolve("35238", "Rue du Bois Rondel", 2),
        Resolution::NumberNotCovered
    );
    assert_eq!(
        c.resolve_with_rep("35238", "Rue du Bois Rondel", 2, Some("a"))
            .uais(),
        ["0350913C"]
    );
    assert_eq!(
        c.resolve_with_rep("35238", "Rue du Bois Rondel", 18, Some("ter"))
            .uais(),
        ["0350913C"]
    );
    assert_eq!(
        c.resolve_with_rep("35238", "Rue Guy Ropartz", 34, Some("bis"))
            .uais(),
        ["0350027P"]
    );
    assert_eq!(
        c.resolve_with_rep("35238", "Rue Guy Ropartz", 34, Some("ter")),
        Resolution::NumberNotCovered
    );
    assert_eq!(
        c.resolve("35238", "Rue de Nantes", 100_000).uais(),
        ["0350734H"]
    );
}

#[test]
fn street_matching_tolerates_spelling_and_one_typo() {
    let (c, _) = carte(
        "35288;PL DU MARCHE AUX LEGUMES;1;;9999;;PI;0350916F;N\n\
             35288;RUE DE SAINT BRIEUC;1;;9999;;PI;0350044H;N\n\
             35288;RUE DE SAINT MALO;1;;9999;;PI;0350044H;N\n",
    );
    assert_eq!(
        c.resolve("35288", "Place du Marché-aux-Légumes", 1).uais(),
        ["0350916F"]
    );
    assert_eq!(
        c.resolve("35288", "Rue Saint-Brieuc", 1).uais(),
        ["0350044H"]
    );
    assert_eq!(
        c.resolve("35288", "Rue de St Brieux", 1).uais(),
        ["0350044H"]
    );
    assert_eq!(
        c.resolve("35288", "Rue de Paris", 1),
        Resolution::StreetNotFound
    );
}

#[test]
fn bad_rows_are_rejected_with_their_line() {
    let (c, r) = carte(
        "35238;RUE A;x;;9999;;PI;0350895H;N\n\
             35238;RUE B;1;;9999;;PI;035089;N\n\
             35238;;1;;9999;;PI;0350895H;N\n\
             35238;RUE C;20;;10;;PI;0350895H;N\n\
             35238;RUE D;1;;9999;;PI;0350895h;N\n",
    );
    let lines: Vec<u64> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(r.rejected[0].problem.contains("No_de_voie_debut"));
    assert_eq!(c.resolve("35238", "Rue D", 3).uais(), ["0350895H"]);
}
