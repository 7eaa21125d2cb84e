//! Sector maps drawn as SVG by the server from the stored polygons: a local
//! equirectangular projection (longitudes shrunk by the cosine of the mid
//! latitude), simplified to the drawing's resolution, in integer units.
//! The SVG itself comes from askama templates, which escape every name.
use std::fmt::Write;
use std::sync::Arc;

use askama::Template;
use geo::algorithm::buffer::{BufferStyle, LineJoin};
use geo::{BoundingRect, Buffer, Coord, LineString, MapCoords, MultiPolygon, Rect, Simplify};

/// Maps lon/lat to drawing units: `x = a·lon + b`, `y = c·lat + d`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Fits `rect` (lon/lat) into `width` units, at most `max_height` high,
    /// with `margin` units all around, centred.
    pub fn fit(rect: Rect<f64>, width: f64, max_height: f64, margin: f64) -> Self {
        let mid_lat = (rect.min().y + rect.max().y) / 2.0;
        let shrink = mid_lat.to_radians().cos().max(0.01);
        let span_x = ((rect.max().x - rect.min().x) * shrink).max(1e-7);
        let span_y = (rect.max().y - rect.min().y).max(1e-7);
        let inner_w = width - 2.0 * margin;
        let scale = (inner_w / span_x).min((max_height - 2.0 * margin) / span_y);
        let height = (span_y * scale + 2.0 * margin).ceil();
        let offset_x = margin + (inner_w - span_x * scale) / 2.0;
        let a = scale * shrink;
        Self {
            a,
            b: offset_x - rect.min().x * a,
            c: -scale,
            d: margin + rect.max().y * scale,
            width,
            height,
        }
    }

    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (self.a * lon + self.b, self.c * lat + self.d)
    }

    /// The inverse, as the page's script computes it for a click.
    #[cfg(test)]
    pub fn lonlat(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.b) / self.a, (y - self.d) / self.c)
    }
}

/// The box around some geometries and points, lon/lat.
pub fn bounds<'a>(
    geometries: impl IntoIterator<Item = &'a MultiPolygon<f64>>,
    points: &[(f64, f64)],
) -> Option<Rect<f64>> {
    let mut rect: Option<Rect<f64>> = None;
    let mut grow = |r: Rect<f64>| {
        rect = Some(match rect {
            None => r,
            Some(old) => Rect::new(
                Coord {
                    x: old.min().x.min(r.min().x),
                    y: old.min().y.min(r.min().y),
                },
                Coord {
                    x: old.max().x.max(r.max().x),
                    y: old.max().y.max(r.max().y),
                },
            ),
        });
    };
    for g in geometries {
        if let Some(r) = g.bounding_rect() {
            grow(r);
        }
    }
    for (lon, lat) in points {
        grow(Rect::new(
            Coord { x: *lon, y: *lat },
            Coord { x: *lon, y: *lat },
        ));
    }
    rect
}

/// Appends a number to path data; a minus sign separates by itself.
fn push_number(d: &mut String, n: i64, first: bool) {
    if !first && n >= 0 {
        d.push(' ');
    }
    let _ = write!(d, "{n}");
}

fn project(geometry: &MultiPolygon<f64>, projection: &Projection) -> MultiPolygon<f64> {
    geometry.map_coords(|c| {
        let (x, y) = projection.xy(c.x, c.y);
        Coord { x, y }
    })
}

/// The SVG path data of a MultiPolygon: each ring simplified to `epsilon`
/// units, then written as one absolute move and integer relative lines.
pub fn path(geometry: &MultiPolygon<f64>, projection: &Projection, epsilon: f64) -> String {
    projected_path(&project(geometry, projection), epsilon)
}

/// The outline of a sector at overview scale. Paris draws its sectors as
/// city blocks with the streets left out: closing the gaps narrower than
/// `2 × gap` units turns hundreds of blocks into one shape, which keeps the
/// home page light.
fn outline(geometry: &MultiPolygon<f64>, projection: &Projection, gap: f64) -> MultiPolygon<f64> {
    let style = |d: f64| BufferStyle::new(d).line_join(LineJoin::Miter(2.0));
    project(geometry, projection)
        .buffer_with_style(style(gap))
        .buffer_with_style(style(-gap))
}

fn projected_path(geometry: &MultiPolygon<f64>, epsilon: f64) -> String {
    let mut d = String::new();
    for polygon in geometry {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let simple: LineString<f64> = ring.simplify(epsilon);
            let mut points: Vec<(i64, i64)> = simple
                .coords()
                .map(|c| (c.x.round() as i64, c.y.round() as i64))
                .collect();
            points.dedup();
            if points.len() > 1 && points.first() == points.last() {
                points.pop();
            }
            if points.len() < 3 {
                continue;
            }
            let (x0, y0) = points[0];
            d.push('M');
            push_number(&mut d, x0, true);
            push_number(&mut d, y0, false);
            d.push('l');
            let mut previous = (x0, y0);
            for (i, &(x, y)) in points.iter().enumerate().skip(1) {
                push_number(&mut d, x - previous.0, i == 1);
                push_number(&mut d, y - previous.1, false);
                previous = (x, y);
            }
            d.push('z');
        }
    }
    d
}

/// A marked place on a map.
pub struct Marker {
    pub lon: f64,
    pub lat: f64,
    /// Shown inside the marker (a number).
    pub tag: String,
    /// What the marker is, for the tooltip and screen readers.
    pub label: String,
}

/// Texts of a sector map.
pub struct SectorMapText<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub home: &'a str,
}

/// A collège placed on a sector map, in drawing units.
struct PlacedMarker {
    x: String,
    y: String,
    tag: String,
    label: String,
}

/// The map of one sector, ready to render.
#[derive(Template)]
#[template(path = "sector_map.svg")]
pub struct SectorMap {
    width: f64,
    height: f64,
    title: String,
    description: String,
    d: String,
    schools: Vec<PlacedMarker>,
    /// The corner of the little house that marks the home.
    home: Option<(String, String)>,
    home_label: String,
}

/// One sector with the home point and its collèges; `None` when there is
/// nothing to draw. Without polygon (a sector known from address ranges),
/// only the marks, with some room around them.
pub fn sector_svg(
    text: &SectorMapText<'_>,
    geometry: Option<&MultiPolygon<f64>>,
    home: Option<(f64, f64)>,
    schools: &[Marker],
) -> Option<SectorMap> {
    let mut points: Vec<(f64, f64)> = schools.iter().map(|m| (m.lon, m.lat)).collect();
    points.extend(home);
    let mut rect = bounds(geometry, &points)?;
    if geometry.is_none() {
        let pad = 0.004;
        rect = Rect::new(
            Coord {
                x: rect.min().x - pad,
                y: rect.min().y - pad,
            },
            Coord {
                x: rect.max().x + pad,
                y: rect.max().y + pad,
            },
        );
    }
    let projection = Projection::fit(rect, 640.0, 720.0, 28.0);
    let schools = schools
        .iter()
        .map(|marker| {
            let (x, y) = projection.xy(marker.lon, marker.lat);
            PlacedMarker {
                x: format!("{x:.0}"),
                y: format!("{y:.0}"),
                tag: marker.tag.clone(),
                label: marker.label.clone(),
            }
        })
        .collect();
    // A little house: roof and walls around the point.
    let home = home.map(|(lon, lat)| {
        let (x, y) = projection.xy(lon, lat);
        (format!("{:.0}", x - 14.0), format!("{:.0}", y - 1.0))
    });
    Some(SectorMap {
        width: projection.width,
        height: projection.height,
        title: text.title.to_owned(),
        description: text.description.to_owned(),
        d: geometry.map_or_else(String::new, |g| path(g, &projection, 0.4)),
        schools,
        home,
        home_label: text.home.to_owned(),
    })
}

/// A sector of an overview map, with its path already drawn.
pub struct OverviewArea {
    pub id: i64,
    pub name: String,
    pub d: String,
}

/// Every sector of a territory, drawn once per catalog and reused.
pub struct Overview {
    pub projection: Projection,
    pub areas: Vec<OverviewArea>,
}

/// How one area of an overview is shown.
pub struct AreaStyle {
    pub href: Option<String>,
    pub class: &'static str,
    pub label: String,
}

impl Overview {
    /// Draws the sectors; `None` when there is nothing to draw.
    pub fn build(sectors: &[(i64, String, &MultiPolygon<f64>)]) -> Option<Self> {
        let rect = bounds(sectors.iter().map(|(_, _, g)| *g), &[])?;
        let projection = Projection::fit(rect, 800.0, 900.0, 6.0);
        let areas = sectors
            .iter()
            .map(|(id, name, g)| OverviewArea {
                id: *id,
                name: name.clone(),
                d: projected_path(&outline(g, &projection, 1.5), 1.0),
            })
            .collect();
        Some(Self { projection, areas })
    }

    /// The map, each area styled by `style`; with `locate`, the script
    /// turns a click into the exact point.
    pub fn svg(
        self: Arc<Self>,
        title: &'static str,
        description: &'static str,
        locate: bool,
        style: impl Fn(&OverviewArea) -> AreaStyle,
    ) -> OverviewMap {
        let styles = self.areas.iter().map(style).collect();
        OverviewMap {
            overview: self,
            styles,
            title,
            description,
            locate,
        }
    }
}

/// An overview map, ready to render.
#[derive(Template)]
#[template(path = "overview_map.svg")]
pub struct OverviewMap {
    overview: Arc<Overview>,
    /// One per area, in the same order.
    styles: Vec<AreaStyle>,
    title: &'static str,
    description: &'static str,
    locate: bool,
}

impl OverviewMap {
    fn areas(&self) -> impl Iterator<Item = (&OverviewArea, &AreaStyle)> {
        self.overview.areas.iter().zip(&self.styles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square() -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: 2.37, y: 48.85), (x: 2.38, y: 48.85), (x: 2.38, y: 48.86), (x: 2.37, y: 48.86), (x: 2.37, y: 48.85)
        ]])
    }

    #[test]
    fn projection_keeps_proportions_and_inverts() {
        let rect = bounds([&square()], &[]).unwrap();
        let p = Projection::fit(rect, 640.0, 720.0, 20.0);
        let (x0, y0) = p.xy(2.37, 48.86);
        let (x1, y1) = p.xy(2.38, 48.85);
        // North is up; a degree of longitude is cos(lat) of a degree of latitude.
        assert!(y1 > y0);
        let ratio = (x1 - x0) / (y1 - y0);
        assert!(
            (ratio - 48.855f64.to_radians().cos()).abs() < 1e-9,
            "{ratio}"
        );
        assert!(
            (y1 - y0 - 680.0).abs() < 1e-6,
            "the taller side fills the height"
        );
        let (lon, lat) = p.lonlat(x1, y1);
        assert!((lon - 2.38).abs() < 1e-12 && (lat - 48.85).abs() < 1e-12);
        assert!(x0 >= 20.0 && x1 <= 620.0);
    }

    #[test]
    fn paths_are_integer_relative_and_closed() {
        let rect = bounds([&square()], &[]).unwrap();
        let p = Projection::fit(rect, 100.0, 100.0, 0.0);
        assert_eq!(path(&square(), &p, 0.5), "M17 100l66 0 0-100-66 0z");
    }

    #[test]
    fn sector_map_marks_home_and_collèges_and_escapes_names() {
        let svg = sector_svg(
            &SectorMapText {
                title: "Secteur <Voltaire>",
                description: "d",
                home: "Votre domicile",
            },
            Some(&square()),
            Some((2.375, 48.855)),
            &[Marker {
                lon: 2.372,
                lat: 48.858,
                tag: "1".into(),
                label: "Collège \"Voltaire\"".into(),
            }],
        )
        .unwrap()
        .render()
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Secteur &#60;Voltaire&#62;"));
        assert!(svg.contains(r#"<g class="home"><title>Votre domicile</title>"#));
        assert!(svg.contains("Collège &#34;Voltaire&#34;"));
    }

    #[test]
    fn a_persons_text_comes_out_escaped_on_maps() {
        let hostile = r#"<script>alert("x")</script> l'"#;
        let escaped = "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; l&#39;";
        let sector = sector_svg(
            &SectorMapText {
                title: hostile,
                description: hostile,
                home: hostile,
            },
            Some(&square()),
            Some((2.375, 48.855)),
            &[Marker {
                lon: 2.372,
                lat: 48.858,
                tag: hostile.into(),
                label: hostile.into(),
            }],
        )
        .unwrap()
        .render()
        .unwrap();
        assert!(!sector.contains("<script>"), "{sector}");
        assert_eq!(sector.matches(escaped).count(), 5, "{sector}");
        let overview = Arc::new(Overview::build(&[(7, hostile.to_owned(), &square())]).unwrap())
            .svg("Carte", "Les secteurs", true, |area| AreaStyle {
                href: Some(format!("/secteur/{}?n={}", area.id, area.name)),
                class: "pick",
                label: area.name.clone(),
            })
            .render()
            .unwrap();
        assert!(!overview.contains("<script>"), "{overview}");
        assert!(
            overview.contains(&format!(r#"aria-label="{escaped}""#)),
            "{overview}"
        );
        assert!(
            overview.contains(&format!("<title>{escaped}</title>")),
            "{overview}"
        );
        assert!(
            overview.contains(&format!(r#"href="/secteur/7?n={escaped}""#)),
            "{overview}"
        );
        assert!(overview.contains(r#" data-locate data-a=""#), "{overview}");
    }
}
