//! Collège facts: the national list and the DEPP IPS, each imported in one
//! transaction (insert or update by UAI).
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set, TransactionTrait};

use crate::entities::{school_ips, schools};
use crate::{Store, StoreError};

/// Rows per INSERT: well under SQLite's limit of bound parameters.
const CHUNK: usize = 500;

/// A collège of the national geolocation list.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSchool {
    pub uai: String,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub department_code: Option<String>,
    pub academy: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub public: bool,
}

/// One row of the DEPP IPS file.
#[derive(Clone, Debug, PartialEq)]
pub struct NewIps {
    pub uai: String,
    pub school_year: String,
    pub department_code: Option<String>,
    pub pupils: Option<i32>,
    pub ips: Option<f64>,
    pub ips_std_dev: Option<f64>,
}

/// What the service shows of a collège: the national list joined with its
/// latest IPS. Either side may be missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchoolFacts {
    pub uai: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub department_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub public: Option<bool>,
    pub pupils: Option<i32>,
    pub ips: Option<f64>,
    pub ips_school_year: Option<String>,
}

impl Store {
    /// Inserts or updates collèges by UAI, in one transaction.
    pub async fn upsert_schools(
        &self,
        rows: &[NewSchool],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        for (i, chunk) in rows.chunks(CHUNK).enumerate() {
            let models = chunk.iter().map(|s| schools::ActiveModel {
                uai: Set(s.uai.clone()),
                name: Set(s.name.clone()),
                address: Set(s.address.clone()),
                postcode: Set(s.postcode.clone()),
                city: Set(s.city.clone()),
                department_code: Set(s.department_code.clone()),
                academy: Set(s.academy.clone()),
                lat: Set(s.lat),
                lon: Set(s.lon),
                public: Set(s.public),
                imported_at: Set(now),
            });
            schools::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::column(schools::Column::Uai)
                        .update_columns([
                            schools::Column::Name,
                            schools::Column::Address,
                            schools::Column::Postcode,
                            schools::Column::City,
                            schools::Column::DepartmentCode,
                            schools::Column::Academy,
                            schools::Column::Lat,
                            schools::Column::Lon,
                            schools::Column::Public,
                            schools::Column::ImportedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            progress((i * CHUNK + chunk.len()).min(rows.len()));
        }
        crate::versions::bump(&txn, crate::versions::CATALOG).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Inserts or updates IPS rows by (UAI, rentrée), in one transaction.
    pub async fn upsert_ips(
        &self,
        rows: &[NewIps],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        for (i, chunk) in rows.chunks(CHUNK).enumerate() {
            let models = chunk.iter().map(|r| school_ips::ActiveModel {
                uai: Set(r.uai.clone()),
                school_year: Set(r.school_year.clone()),
                department_code: Set(r.department_code.clone()),
                pupils: Set(r.pupils),
                ips: Set(r.ips),
                ips_std_dev: Set(r.ips_std_dev),
            });
            school_ips::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([school_ips::Column::Uai, school_ips::Column::SchoolYear])
                        .update_columns([
                            school_ips::Column::DepartmentCode,
                            school_ips::Column::Pupils,
                            school_ips::Column::Ips,
                            school_ips::Column::IpsStdDev,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            progress((i * CHUNK + chunk.len()).min(rows.len()));
        }
        crate::versions::bump(&txn, crate::versions::CATALOG).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every collège known from either file, keyed by UAI.
    pub async fn school_facts(&self) -> Result<HashMap<String, SchoolFacts>, StoreError> {
        let mut facts: HashMap<String, SchoolFacts> = HashMap::new();
        for s in schools::Entity::find().all(&self.db).await? {
            facts.insert(
                s.uai.clone(),
                SchoolFacts {
                    uai: s.uai,
                    name: Some(s.name),
                    address: s.address,
                    postcode: s.postcode,
                    city: s.city,
                    department_code: s.department_code,
                    lat: s.lat,
                    lon: s.lon,
                    public: Some(s.public),
                    ..Default::default()
                },
            );
        }
        for row in school_ips::Entity::find().all(&self.db).await? {
            let entry = facts.entry(row.uai.clone()).or_insert_with(|| SchoolFacts {
                uai: row.uai.clone(),
                department_code: row.department_code.clone(),
                ..Default::default()
            });
            // Keep the latest rentrée ("2022-2023" sorts after "2021-2022").
            if entry.ips_school_year.as_deref() < Some(row.school_year.as_str()) {
                entry.pupils = row.pupils;
                entry.ips = row.ips;
                entry.ips_school_year = Some(row.school_year);
            }
        }
        Ok(facts)
    }
}
