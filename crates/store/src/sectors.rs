//! Sector maps: one atomic save per (territory, school year), and the load
//! that feeds the in-memory index.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr,
    TransactionTrait,
};

use crate::entities::{sector_maps, sector_schools, sectors};
use crate::{Store, StoreError};

/// A sector to save, its geometry already validated and written as GeoJSON.
#[derive(Clone, Debug)]
pub struct NewSector {
    pub feature_index: i32,
    pub external_id: Option<String>,
    pub name: String,
    pub geometry_geojson: String,
    pub uais: Vec<String>,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapSummary {
    pub map_id: i64,
    pub sector_count: usize,
    pub replaced: bool,
}

/// A sector as stored, with the map it belongs to.
#[derive(Clone, Debug)]
pub struct StoredSector {
    pub id: i64,
    pub territory: String,
    pub school_year: String,
    pub external_id: Option<String>,
    pub name: String,
    pub geometry_geojson: String,
    pub uais: Vec<String>,
}

impl Store {
    /// Saves the map of `territory` for `school_year` in one transaction.
    /// Without `replace`, an existing map of that territory and year is an
    /// error; with it, the old map is deleted in the same transaction, so a
    /// reader sees the old map or the new one, never a mix.
    /// `progress` is called with the number of sectors written so far.
    pub async fn save_sector_map(
        &self,
        territory: &str,
        school_year: &str,
        new_sectors: &[NewSector],
        replace: bool,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<MapSummary, StoreError> {
        let exists = || StoreError::MapExists {
            territory: territory.to_owned(),
            school_year: school_year.to_owned(),
        };
        let txn = self.db.begin().await?;
        let existing = sector_maps::Entity::find()
            .filter(sector_maps::Column::Territory.eq(territory))
            .filter(sector_maps::Column::SchoolYear.eq(school_year))
            .one(&txn)
            .await?;
        let replaced = existing.is_some();
        if let Some(old) = existing {
            if !replace {
                return Err(exists());
            }
            sector_maps::Entity::delete_by_id(old.id).exec(&txn).await?;
        }
        let map = sector_maps::ActiveModel {
            territory: Set(territory.to_owned()),
            school_year: Set(school_year.to_owned()),
            sector_count: Set(i32::try_from(new_sectors.len()).unwrap_or(i32::MAX)),
            imported_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            // Another import of the same map committed first.
            Some(SqlErr::UniqueConstraintViolation(_)) => exists(),
            _ => e.into(),
        })?;
        for (done, sector) in new_sectors.iter().enumerate() {
            let saved = sectors::ActiveModel {
                map_id: Set(map.id),
                feature_index: Set(sector.feature_index),
                external_id: Set(sector.external_id.clone()),
                name: Set(sector.name.clone()),
                geometry: Set(sector.geometry_geojson.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let links =
                sector
                    .uais
                    .iter()
                    .enumerate()
                    .map(|(position, uai)| sector_schools::ActiveModel {
                        sector_id: Set(saved.id),
                        uai: Set(uai.clone()),
                        position: Set(position as i32),
                    });
            sector_schools::Entity::insert_many(links)
                .exec_without_returning(&txn)
                .await?;
            progress(done + 1);
        }
        crate::versions::bump(&txn, crate::versions::CATALOG).await?;
        txn.commit().await?;
        Ok(MapSummary {
            map_id: map.id,
            sector_count: new_sectors.len(),
            replaced,
        })
    }

    /// Every sector of every map, ordered by id, for building the index.
    pub async fn all_sectors(&self) -> Result<Vec<StoredSector>, StoreError> {
        // One read transaction, so that a concurrent replace is seen whole or not at all.
        let txn = self.db.begin().await?;
        let maps: HashMap<i64, sector_maps::Model> = sector_maps::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mut uais: HashMap<i64, Vec<(i32, String)>> = HashMap::new();
        for link in sector_schools::Entity::find().all(&txn).await? {
            uais.entry(link.sector_id)
                .or_default()
                .push((link.position, link.uai));
        }
        let rows = sectors::Entity::find()
            .order_by_asc(sectors::Column::Id)
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(rows
            .into_iter()
            .filter_map(|s| {
                let map = maps.get(&s.map_id)?;
                let mut links = uais.remove(&s.id).unwrap_or_default();
                links.sort();
                Some(StoredSector {
                    id: s.id,
                    territory: map.territory.clone(),
                    school_year: map.school_year.clone(),
                    external_id: s.external_id,
                    name: s.name,
                    geometry_geojson: s.geometry,
                    uais: links.into_iter().map(|(_, uai)| uai).collect(),
                })
            })
            .collect())
    }

    /// The imported maps, by territory then year.
    pub async fn sector_maps(&self) -> Result<Vec<sector_maps::Model>, StoreError> {
        Ok(sector_maps::Entity::find()
            .order_by_asc(sector_maps::Column::Territory)
            .order_by_asc(sector_maps::Column::SchoolYear)
            .all(&self.db)
            .await?)
    }
}
