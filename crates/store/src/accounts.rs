//! Accounts, web sessions, referents' one-time sign-in links and the
//! server's shared keys. Secrets are stored as their SHA-256 only.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr, TransactionTrait,
};

use passerelle_sectors::SectorKey;

use crate::entities::{accounts, referents, server_keys, sessions, sign_in_links};
use crate::lists::SectorKeys;
use crate::{NewMessage, Store, StoreError};

/// An account to create.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub email: String,
    pub role: String,
    pub password_hash: String,
    /// The sector keys the account is limited to; `None`: every sector.
    pub sectors: Option<Vec<SectorKey>>,
}

/// An account as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAccount {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub password_hash: String,
    pub sectors: Option<Vec<SectorKey>>,
    pub disabled: bool,
}

/// Who a session belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionOwner {
    Account(StoredAccount),
    Referent(referents::Model),
}

/// A live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSession {
    pub id: i64,
    pub owner: SessionOwner,
}

fn stored(a: accounts::Model) -> StoredAccount {
    StoredAccount {
        sectors: a.sectors.map(|s| s.0),
        id: a.id,
        email: a.email,
        role: a.role,
        password_hash: a.password_hash,
        disabled: a.disabled_at.is_some(),
    }
}

/// Ends every session and sign-in link of a referent (erasure).
pub(crate) async fn forget_referent<C: ConnectionTrait>(
    db: &C,
    referent_id: i64,
) -> Result<(), StoreError> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::ReferentId.eq(referent_id))
        .exec(db)
        .await?;
    sign_in_links::Entity::delete_many()
        .filter(sign_in_links::Column::ReferentId.eq(referent_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes sessions and sign-in links past their end.
pub(crate) async fn delete_ended<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    sign_in_links::Entity::delete_many()
        .filter(sign_in_links::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    /// Creates an account; its e-mail must be new.
    pub async fn create_account(&self, new: NewAccount) -> Result<StoredAccount, StoreError> {
        let saved = accounts::ActiveModel {
            email: Set(new.email.clone()),
            role: Set(new.role),
            password_hash: Set(new.password_hash),
            sectors: Set(new.sectors.map(SectorKeys)),
            created_at: Set(Utc::now()),
            disabled_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::AccountExists(new.email),
            _ => e.into(),
        })?;
        Ok(stored(saved))
    }

    /// The account of an e-mail address, disabled or not.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<StoredAccount>, StoreError> {
        Ok(accounts::Entity::find()
            .filter(accounts::Column::Email.eq(email))
            .one(&self.db)
            .await?
            .map(stored))
    }

    /// Every account, by e-mail.
    pub async fn accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        Ok(accounts::Entity::find()
            .order_by_asc(accounts::Column::Email)
            .all(&self.db)
            .await?
            .into_iter()
            .map(stored)
            .collect())
    }

    /// Replaces an account's password hash and ends its sessions.
    pub async fn set_password(&self, email: &str, password_hash: &str) -> Result<(), StoreError> {
        let account = self
            .account_by_email(email)
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        accounts::Entity::update_many()
            .col_expr(accounts::Column::PasswordHash, Expr::value(password_hash))
            .filter(accounts::Column::Id.eq(account.id))
            .exec(&self.db)
            .await?;
        self.revoke_account_sessions(account.id).await?;
        Ok(())
    }

    /// Disables an account and ends its sessions.
    pub async fn disable_account(&self, email: &str) -> Result<(), StoreError> {
        let account = self
            .account_by_email(email)
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        accounts::Entity::update_many()
            .col_expr(accounts::Column::DisabledAt, Expr::value(Utc::now()))
            .filter(accounts::Column::Id.eq(account.id))
            .exec(&self.db)
            .await?;
        self.revoke_account_sessions(account.id).await?;
        Ok(())
    }

    /// Ends every live session of an account; returns how many.
    pub async fn revoke_account_sessions(&self, account_id: i64) -> Result<u64, StoreError> {
        let result = sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(sessions::Column::AccountId.eq(account_id))
            .filter(sessions::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Opens a session for an account or a referent.
    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: Option<i64>,
        referent_id: Option<i64>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        sessions::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            account_id: Set(account_id),
            referent_id: Set(referent_id),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The live session of a cookie secret's hash: not revoked, not past
    /// its end, not idle for longer than `idle`, and whose owner is still
    /// active. Records the activity (at most once a minute, to spare writes).
    pub async fn live_session(
        &self,
        token_hash: &str,
        idle: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<LiveSession>, StoreError> {
        let Some(session) = sessions::Entity::find()
            .filter(sessions::Column::TokenHash.eq(token_hash))
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .filter(sessions::Column::LastSeenAt.gt(now - idle))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let owner = match (session.account_id, session.referent_id) {
            (Some(id), _) => accounts::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .filter(|a| a.disabled_at.is_none())
                .map(|a| SessionOwner::Account(stored(a))),
            (None, Some(id)) => referents::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .map(SessionOwner::Referent),
            (None, None) => None,
        };
        let Some(owner) = owner else {
            return Ok(None);
        };
        if session.last_seen_at < now - Duration::minutes(1) {
            sessions::Entity::update_many()
                .col_expr(sessions::Column::LastSeenAt, Expr::value(now))
                .filter(sessions::Column::Id.eq(session.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Some(LiveSession {
            id: session.id,
            owner,
        }))
    }

    /// Ends one session (signing out).
    pub async fn revoke_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(sessions::Column::TokenHash.eq(token_hash))
            .filter(sessions::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The referent of an e-mail address who has not been erased.
    pub async fn referent_by_email(
        &self,
        email: &str,
    ) -> Result<Option<referents::Model>, StoreError> {
        Ok(referents::Entity::find()
            .filter(referents::Column::Email.eq(email))
            .order_by_desc(referents::Column::Id)
            .one(&self.db)
            .await?)
    }

    /// Records a one-time sign-in link for a referent and queues the mail
    /// that carries it, in one transaction.
    pub async fn create_sign_in_link(
        &self,
        token_hash: &str,
        referent_id: i64,
        expires_at: DateTime<Utc>,
        mail: NewMessage,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        sign_in_links::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            referent_id: Set(referent_id),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        crate::meetings::queue(&txn, vec![mail]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Spends a sign-in link: the referent it was for, once, before it
    /// expires. The conditional update makes two concurrent uses yield one.
    pub async fn use_sign_in_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let spent = sign_in_links::Entity::update_many()
            .col_expr(sign_in_links::Column::UsedAt, Expr::value(now))
            .filter(sign_in_links::Column::TokenHash.eq(token_hash))
            .filter(sign_in_links::Column::UsedAt.is_null())
            .filter(sign_in_links::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await?;
        if spent.rows_affected != 1 {
            return Ok(None);
        }
        Ok(sign_in_links::Entity::find()
            .filter(sign_in_links::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
            .map(|l| l.referent_id))
    }

    /// The key called `name`, created from `fresh` by the first replica
    /// that asks; every replica then reads the same value.
    pub async fn server_key(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        server_keys::Entity::insert(server_keys::ActiveModel {
            name: Set(name.to_owned()),
            value: Set(fresh.to_owned()),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(server_keys::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec(&self.db)
        .await?;
        server_keys::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await?
            .map(|k| k.value)
            .ok_or(StoreError::NotFound("server key"))
    }
}
