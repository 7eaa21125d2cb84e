//! What the volunteer page makes of a hostile person's text.
use super::*;
use crate::i18n::Lang;

#[test]
fn a_persons_text_comes_out_escaped() {
    let hostile = r#"<script>alert("x")</script> l'"#;
    let escaped = "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; l&#39;";
    let ctx = Ctx::for_tests(Lang::Fr);
    let mut errors = Errors::default();
    errors.add("first_name", format!("{hostile} n'est pas un prénom"));
    let page = VolunteerPage {
        t: ctx.t(),
        ctx,
        values: FormData::new(vec![("first_name".into(), hostile.into())]),
        errors,
        groups: Vec::new(),
        grades: Vec::new(),
        language_choices: Vec::new(),
        availability: Vec::new(),
        capacity: String::new(),
    };
    let html = page.render().unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains(&format!(r#"value="{escaped}""#)), "{html}");
    assert!(
        html.contains(&format!(
            r#"<p class="err" id="first_name-err">{escaped} n&#39;est pas un prénom</p>"#
        )),
        "{html}"
    );
    assert!(html.contains(r#" aria-invalid="true" aria-describedby="first_name-err">"#));
}
