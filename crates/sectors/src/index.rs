//! The in-memory point-to-sector index.

use std::ops::ControlFlow;

use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree, RTreeObject};

/// Metres per degree of latitude on a sphere of mean Earth radius (IUGG, 6,371,008.8 m).
const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// One R-tree entry: the envelope of a polygon part and the part's position in `parts`.
type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

#[derive(Debug)]
struct Part {
    sector: usize,
    polygon: Polygon<f64>,
}

/// How a point was matched to a sector.
///
/// ```
/// use passerelle_sectors::MatchKind;
///
/// let kind = MatchKind::Nearest { distance_m: 12.5 };
/// assert!(matches!(kind, MatchKind::Nearest { distance_m } if distance_m < 50.0));
/// assert_ne!(kind, MatchKind::Inside);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MatchKind {
    /// The point is inside the sector or on its boundary.
    Inside,
    /// No accepted sector contains the point; this one is the nearest.
    Nearest {
        /// Ground distance from the point to the sector's boundary, in metres.
        distance_m: f64,
    },
}

/// The sector found for a point.
///
/// ```
/// use passerelle_sectors::{Hit, MatchKind};
///
/// let hit = Hit { sector: 2, kind: MatchKind::Inside };
/// assert_eq!(hit.sector, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Position of the sector in the `Vec` given to [`SectorIndex::new`].
    pub sector: usize,
    /// Inside, or nearest with its distance.
    pub kind: MatchKind,
}

/// Finds the sector of a point among many sectors (several maps may share one index).
///
/// An R-tree holds the envelope of every polygon part; a lookup takes the
/// parts whose envelope contains the point, then runs an exact
/// point-in-polygon test (robust orientation predicates, points on a
/// boundary count as inside). `SectorIndex` is `Send + Sync`; share it
/// behind an `Arc`.
///
/// ```
/// use geo::polygon;
/// use passerelle_sectors::{MatchKind, SectorIndex};
///
/// let west = polygon![(x: 2.30, y: 48.80), (x: 2.35, y: 48.80), (x: 2.35, y: 48.90), (x: 2.30, y: 48.90)];
/// let east = polygon![(x: 2.36, y: 48.80), (x: 2.40, y: 48.80), (x: 2.40, y: 48.90), (x: 2.36, y: 48.90)];
/// let index = SectorIndex::new(vec![west.into(), east.into()]);
///
/// assert_eq!(index.containing(2.32, 48.85, |_| true), Some(0));
/// // In the gap, 0.004° of longitude from the west sector: about 293 m.
/// let hit = index.locate(2.354, 48.85, 500.0, |_| true).unwrap();
/// assert_eq!(hit.sector, 0);
/// assert!(matches!(hit.kind, MatchKind::Nearest { distance_m } if (distance_m - 293.0).abs() < 1.0));
/// ```
#[derive(Debug)]
pub struct SectorIndex {
    sectors: Vec<MultiPolygon<f64>>,
    parts: Vec<Part>,
    tree: RTree<Entry>,
}

impl SectorIndex {
    /// Builds the index. Sector ids are the positions 0..n of the input.
    ///
    /// ```
    /// use geo::polygon;
    /// use passerelle_sectors::SectorIndex;
    ///
    /// let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
    /// let index = SectorIndex::new(vec![square.into()]);
    /// assert_eq!(index.len(), 1);
    /// ```
    pub fn new(sectors: Vec<MultiPolygon<f64>>) -> Self {
        let mut parts = Vec::new();
        let mut entries = Vec::new();
        for (sector, multi) in sectors.iter().enumerate() {
            for polygon in multi {
                // An empty part has no envelope and contains nothing.
                let Some(rect) = polygon.bounding_rect() else {
                    continue;
                };
                let (min, max) = (rect.min(), rect.max());
                entries.push(GeomWithData::new(
                    Rectangle::from_corners([min.x, min.y], [max.x, max.y]),
                    parts.len(),
                ));
                parts.push(Part {
                    sector,
                    polygon: polygon.clone(),
                });
            }
        }
        Self {
            sectors,
            parts,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Number of sectors.
    ///
    /// ```
    /// use passerelle_sectors::SectorIndex;
    ///
    /// assert_eq!(SectorIndex::new(vec![]).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.sectors.len()
    }

    /// True when the index holds no sector.
    ///
    /// ```
    /// use passerelle_sectors::SectorIndex;
    ///
    /// assert!(SectorIndex::new(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.sectors.is_empty()
    }

    /// Exact containment only: the lowest accepted sector id whose geometry
    /// contains the point (boundary included), or `None`.
    ///
    /// `accept` is asked before any polygon test, so filtering by map or
    /// school year costs no geometry work.
    ///
    /// ```
    /// use geo::polygon;
    /// use passerelle_sectors::SectorIndex;
    ///
    /// let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
    /// // The same square in two maps: the lowest accepted id wins.
    /// let index = SectorIndex::new(vec![square.clone().into(), square.into()]);
    /// assert_eq!(index.containing(0.5, 0.5, |_| true), Some(0));
    /// assert_eq!(index.containing(1.0, 0.5, |_| true), Some(0)); // on the boundary
    /// assert_eq!(index.containing(0.5, 0.5, |id| id == 1), Some(1));
    /// assert_eq!(index.containing(1.5, 0.5, |_| true), None);
    /// ```
    pub fn containing(&self, lon: f64, lat: f64, accept: impl Fn(usize) -> bool) -> Option<usize> {
        let coord = Coord { x: lon, y: lat };
        let mut best: Option<usize> = None;
        let _ = self.tree.locate_all_at_point_int([lon, lat], |entry| {
            let part = &self.parts[entry.data];
            if best.is_none_or(|b| part.sector < b)
                && accept(part.sector)
                && part.polygon.intersects(&coord)
            {
                best = Some(part.sector);
            }
            ControlFlow::<()>::Continue(())
        });
        best
    }

    /// Containment, else the nearest accepted sector within `max_distance_m`
    /// metres on the ground (ties go to the lowest id), else `None`.
    ///
    /// Distances use a local equirectangular frame at the query latitude on a
    /// sphere of mean radius 6,371,008.8 m: the approximation itself is off by
    /// under 0.03% at 1 km. Against the WGS84 ellipsoid the sphere adds up to
    /// about 0.3% east–west and 0.01% north–south at French latitudes, i.e.
    /// under 0.3 m at 100 m. The map is not wrapped at the antimeridian.
    ///
    /// ```
    /// use geo::polygon;
    /// use passerelle_sectors::{MatchKind, SectorIndex};
    ///
    /// let square = polygon![(x: 2.0, y: 48.0), (x: 2.1, y: 48.0), (x: 2.1, y: 48.1), (x: 2.0, y: 48.1)];
    /// let index = SectorIndex::new(vec![square.into()]);
    /// // 0.0001° of latitude north of the square: 11.1 m.
    /// let hit = index.locate(2.05, 48.1001, 50.0, |_| true).unwrap();
    /// assert!(matches!(hit.kind, MatchKind::Nearest { distance_m } if (distance_m - 11.12).abs() < 0.01));
    /// assert_eq!(index.locate(2.05, 48.1001, 10.0, |_| true), None);
    /// ```
    pub fn locate(
        &self,
        lon: f64,
        lat: f64,
        max_distance_m: f64,
        accept: impl Fn(usize) -> bool,
    ) -> Option<Hit> {
        if let Some(sector) = self.containing(lon, lat, &accept) {
            return Some(Hit {
                sector,
                kind: MatchKind::Inside,
            });
        }
        self.nearest(lon, lat, max_distance_m, &accept)
            .map(|(sector, distance_m)| Hit {
                sector,
                kind: MatchKind::Nearest { distance_m },
            })
    }

    /// The geometry of a sector, as given to [`SectorIndex::new`].
    ///
    /// # Panics
    /// When `sector >= self.len()`.
    ///
    /// ```
    /// use geo::polygon;
    /// use passerelle_sectors::SectorIndex;
    ///
    /// let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
    /// let index = SectorIndex::new(vec![square.clone().into()]);
    /// assert_eq!(index.geometry(0).0[0], square);
    /// ```
    pub fn geometry(&self, sector: usize) -> &MultiPolygon<f64> {
        &self.sectors[sector]
    }

    fn nearest(
        &self,
        lon: f64,
        lat: f64,
        max_distance_m: f64,
        accept: impl Fn(usize) -> bool,
    ) -> Option<(usize, f64)> {
        if !(max_distance_m >= 0.0 && lon.is_finite() && lat.is_finite()) {
            return None;
        }
        // Metres per degree along each axis at the query latitude.
        let ky = METRES_PER_DEGREE;
        let kx = ky * lat.to_radians().cos();
        let (dlon, dlat) = (max_distance_m / kx, max_distance_m / ky);
        let search = AABB::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat]);
        let to_local = |c: Coord<f64>| ((c.x - lon) * kx, (c.y - lat) * ky);

        let max_sq = max_distance_m * max_distance_m;
        // (sector, squared distance)
        let mut best: Option<(usize, f64)> = None;
        let _ = self.tree.locate_in_envelope_intersecting_int(search, |entry| {
            let part = &self.parts[entry.data];
            if !accept(part.sector) {
                return ControlFlow::<()>::Continue(());
            }
            // The envelope is a lower bound on the part's distance.
            let env = entry.geom().envelope();
            let (lo, hi) = (env.lower(), env.upper());
            let ex = (lo[0] - lon).max(lon - hi[0]).max(0.0) * kx;
            let ey = (lo[1] - lat).max(lat - hi[1]).max(0.0) * ky;
            let bound = best.map_or(max_sq, |(_, d)| d);
            if ex * ex + ey * ey > bound {
                return ControlFlow::Continue(());
            }
            let d = std::iter::once(part.polygon.exterior())
                .chain(part.polygon.interiors())
                .flat_map(|ring| ring.0.windows(2))
                .map(|w| segment_distance_sq(to_local(w[0]), to_local(w[1])))
                .fold(f64::INFINITY, f64::min);
            let better = match best {
                None => d <= max_sq,
                Some((s, bd)) => d < bd || (d == bd && part.sector < s),
            };
            if better {
                best = Some((part.sector, d));
            }
            ControlFlow::Continue(())
        });
        best.map(|(sector, d)| (sector, d.sqrt()))
    }
}

/// Squared distance from the origin to segment a–b.
fn segment_distance_sq(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len_sq = dx * dx + dy * dy;
    let t = if len_sq > 0.0 {
        (-(a.0 * dx + a.1 * dy) / len_sq).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    x * x + y * y
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, polygon};

    fn square(x0: f64, y0: f64, side: f64) -> Polygon<f64> {
        polygon![
            (x: x0, y: y0),
            (x: x0 + side, y: y0),
            (x: x0 + side, y: y0 + side),
            (x: x0, y: y0 + side),
        ]
    }

    #[test]
    fn index_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<SectorIndex>();
    }

    #[test]
    fn hole_is_outside_and_its_edge_inside() {
        let ring = |s: Polygon<f64>| s.exterior().clone();
        let donut = Polygon::new(ring(square(0.0, 0.0, 1.0)), vec![ring(square(0.4, 0.4, 0.2))]);
        let index = SectorIndex::new(vec![donut.into()]);
        assert_eq!(index.containing(0.5, 0.5, |_| true), None);
        assert_eq!(index.containing(0.4, 0.5, |_| true), Some(0));
        assert_eq!(index.containing(0.2, 0.5, |_| true), Some(0));
    }

    #[test]
    fn point_in_a_hole_gets_distance_to_the_hole() {
        let ring = |s: Polygon<f64>| s.exterior().clone();
        let donut = Polygon::new(
            ring(square(0.0, 0.0, 1.0)),
            vec![ring(square(0.4, 0.4, 0.2))],
        );
        let index = SectorIndex::new(vec![donut.into()]);
        let hit = index.locate(0.5, 0.5, 1e6, |_| true).unwrap();
        let expected = 0.1 * METRES_PER_DEGREE; // at lat 0.5 the x scale is 0.99996 of it
        let MatchKind::Nearest { distance_m } = hit.kind else {
            panic!("{hit:?}");
        };
        assert!((distance_m - expected).abs() < 1.0, "{distance_m} vs {expected}");
    }

    #[test]
    fn overlapping_sectors_lowest_id_wins_whatever_the_order() {
        let big = square(0.0, 0.0, 1.0);
        let small = square(0.2, 0.2, 0.1);
        let index = SectorIndex::new(vec![square(5.0, 5.0, 1.0).into(), small.into(), big.into()]);
        assert_eq!(index.containing(0.25, 0.25, |_| true), Some(1));
        assert_eq!(index.containing(0.25, 0.25, |id| id != 1), Some(2));
        assert_eq!(index.containing(0.8, 0.8, |_| true), Some(2));
    }

    #[test]
    fn accept_is_asked_before_any_geometry_and_filters() {
        let index = SectorIndex::new(vec![square(0.0, 0.0, 1.0).into()]);
        assert_eq!(index.containing(0.5, 0.5, |_| false), None);
        assert_eq!(index.locate(0.5, 0.5, 1e6, |_| false), None);
    }

    #[test]
    fn multipolygon_part_far_away_still_belongs_to_its_sector() {
        let multi = MultiPolygon::new(vec![square(0.0, 0.0, 1.0), square(10.0, 10.0, 1.0)]);
        let index = SectorIndex::new(vec![square(3.0, 3.0, 1.0).into(), multi]);
        assert_eq!(index.containing(10.5, 10.5, |_| true), Some(1));
        assert_eq!(index.geometry(1).0.len(), 2);
    }

    #[test]
    fn nearest_picks_the_closer_sector_and_respects_the_radius() {
        // Two sectors either side of a 0.001° (~111 m at the equator) wide street; the point is
        // 0.0003° from the west one.
        let index = SectorIndex::new(vec![
            square(1.002, 0.0, 0.001).into(),
            square(1.0, 0.0, 0.001).into(),
        ]);
        let hit = index.locate(1.0013, 0.0005, 100.0, |_| true).unwrap();
        assert_eq!(hit.sector, 1);
        let MatchKind::Nearest { distance_m } = hit.kind else {
            panic!("{hit:?}");
        };
        let expected = 0.0003 * METRES_PER_DEGREE * 0.0005_f64.to_radians().cos();
        assert!((distance_m - expected).abs() < 1e-6, "{distance_m} vs {expected}");
        assert_eq!(index.locate(1.0013, 0.0005, 30.0, |_| true), None);
        assert_eq!(index.locate(1.0013, 0.0005, 100.0, |id| id == 0).map(|h| h.sector), Some(0));
    }

    #[test]
    fn longitude_scale_shrinks_with_latitude() {
        // 0.001° of longitude at 60°N is half of what it is at the equator.
        let index = SectorIndex::new(vec![square(0.0, 59.0, 1.0).into()]);
        let hit = index.locate(1.001, 60.0, 1000.0, |_| true).unwrap();
        let MatchKind::Nearest { distance_m } = hit.kind else {
            panic!("{hit:?}");
        };
        let expected = 0.001 * METRES_PER_DEGREE * 0.5;
        assert!((distance_m - expected).abs() < 1e-6, "{distance_m} vs {expected}");
    }

    #[test]
    fn equidistant_sectors_tie_to_the_lowest_id() {
        let index = SectorIndex::new(vec![
            square(2.0, 0.0, 1.0).into(),
            square(0.0, 0.0, 1.0).into(),
        ]);
        let hit = index.locate(1.5, 0.5, 1e6, |_| true).unwrap();
        assert_eq!(hit.sector, 0);
        let index = SectorIndex::new(vec![
            square(0.0, 0.0, 1.0).into(),
            square(2.0, 0.0, 1.0).into(),
        ]);
        assert_eq!(index.locate(1.5, 0.5, 1e6, |_| true).unwrap().sector, 0);
    }

    #[test]
    fn non_finite_or_negative_inputs_find_nothing() {
        let index = SectorIndex::new(vec![square(0.0, 0.0, 1.0).into()]);
        assert_eq!(index.containing(f64::NAN, 0.5, |_| true), None);
        assert_eq!(index.locate(f64::NAN, 0.5, 1e6, |_| true), None);
        assert_eq!(index.locate(1.5, 0.5, -1.0, |_| true), None);
        assert_eq!(index.locate(1.5, 0.5, f64::NAN, |_| true), None);
    }

    #[test]
    fn empty_parts_are_skipped() {
        let empty = Polygon::new(LineString::new(vec![]), vec![]);
        let multi = MultiPolygon::new(vec![empty, square(0.0, 0.0, 1.0)]);
        let index = SectorIndex::new(vec![multi]);
        assert_eq!(index.containing(0.5, 0.5, |_| true), Some(0));
    }

    #[test]
    fn segment_distance_clamps_to_endpoints() {
        assert_eq!(segment_distance_sq((3.0, 4.0), (3.0, 10.0)), 25.0);
        assert_eq!(segment_distance_sq((-1.0, 2.0), (1.0, 2.0)), 4.0);
        assert_eq!(segment_distance_sq((1.0, 1.0), (1.0, 1.0)), 2.0);
    }
}
