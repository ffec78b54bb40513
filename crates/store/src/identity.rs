//! Staff users, customers, sign-in sessions and integrator API tokens.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use uuid::Uuid;

use crate::entity::{api_tokens, customers, sessions, staff_users};
use crate::{Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRecord {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRecord {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectKind {
    Staff,
    Customer,
}

impl SubjectKind {
    fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Staff => "staff",
            SubjectKind::Customer => "customer",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: Uuid,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

fn session(row: sessions::Model) -> SessionRecord {
    SessionRecord {
        id: row.id,
        subject_kind: if row.subject_kind == "staff" {
            SubjectKind::Staff
        } else {
            SubjectKind::Customer
        },
        subject_id: row.subject_id,
        expires_at: row.expires_at,
        revoked: row.revoked_at.is_some(),
    }
}

fn api_token(row: api_tokens::Model) -> ApiTokenRecord {
    ApiTokenRecord {
        id: row.id,
        name: row.name,
        scopes: crate::mapping::split_list(&row.scopes),
        created_by: row.created_by,
        created_at: row.created_at,
        revoked: row.revoked_at.is_some(),
    }
}

/// What presenting a refresh token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current: the session now answers to the new token.
    Rotated(SessionRecord),
    /// The token had already been used once: someone replayed it, so the session is revoked.
    Replayed,
    Unknown,
}

impl Store {
    pub async fn insert_staff(&self, s: &StaffRecord) -> Result<(), StoreError> {
        let row = staff_users::Model {
            id: s.id,
            email: s.email.clone(),
            password_hash: s.password_hash.clone(),
            role: s.role.clone(),
            created_at: s.created_at,
        };
        staff_users::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRecord>, StoreError> {
        let row = staff_users::Entity::find()
            .filter(staff_users::Column::Email.eq(email))
            .one(&self.db)
            .await?;
        Ok(row.map(staff))
    }

    pub async fn staff_by_id(&self, id: Uuid) -> Result<Option<StaffRecord>, StoreError> {
        let row = staff_users::Entity::find_by_id(id).one(&self.db).await?;
        Ok(row.map(staff))
    }

    pub async fn insert_customer(&self, c: &CustomerRecord) -> Result<(), StoreError> {
        let row = customers::Model {
            id: c.id,
            email: c.email.clone(),
            password_hash: c.password_hash.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            created_at: c.created_at,
        };
        customers::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn customer_by_email(
        &self,
        email: &str,
    ) -> Result<Option<CustomerRecord>, StoreError> {
        let row = customers::Entity::find()
            .filter(customers::Column::Email.eq(email))
            .one(&self.db)
            .await?;
        Ok(row.map(customer))
    }

    pub async fn customers_by_ids(&self, ids: &[Uuid]) -> Result<Vec<CustomerRecord>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(crate::INSERT_CHUNK) {
            let rows = customers::Entity::find()
                .filter(customers::Column::Id.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            found.extend(rows.into_iter().map(customer));
        }
        Ok(found)
    }

    pub async fn insert_session(
        &self,
        id: Uuid,
        kind: SubjectKind,
        subject_id: Uuid,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = sessions::Model {
            id,
            subject_kind: kind.as_str().to_owned(),
            subject_id,
            refresh_hash: refresh_hash.to_owned(),
            previous_refresh_hash: None,
            expires_at,
            created_at: Utc::now(),
            revoked_at: None,
        };
        sessions::Entity::insert(row.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    pub async fn session(&self, id: Uuid) -> Result<Option<SessionRecord>, StoreError> {
        Ok(sessions::Entity::find_by_id(id).one(&self.db).await?.map(session))
    }

    /// Swaps a session's refresh token for a new one, atomically: of two concurrent uses of
    /// the same token only one rotates; replay of an already rotated token revokes the session.
    pub async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StoreError> {
        let txn = self.db.begin().await?;
        let now = Utc::now();
        let updated = sessions::Entity::update_many()
            .col_expr(sessions::Column::PreviousRefreshHash, Expr::value(presented_hash))
            .col_expr(sessions::Column::RefreshHash, Expr::value(new_hash))
            .col_expr(sessions::Column::ExpiresAt, Expr::value(expires_at))
            .filter(sessions::Column::RefreshHash.eq(presented_hash))
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        let outcome = if updated.rows_affected == 1 {
            let row = sessions::Entity::find()
                .filter(sessions::Column::RefreshHash.eq(new_hash))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            RefreshOutcome::Rotated(session(row))
        } else {
            let replayed = sessions::Entity::update_many()
                .col_expr(sessions::Column::RevokedAt, Expr::value(now))
                .filter(sessions::Column::PreviousRefreshHash.eq(presented_hash))
                .filter(sessions::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
            if replayed.rows_affected > 0 {
                RefreshOutcome::Replayed
            } else {
                RefreshOutcome::Unknown
            }
        };
        txn.commit().await?;
        Ok(outcome)
    }

    pub async fn revoke_session(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(sessions::Column::Id.eq(id))
            .filter(sessions::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    pub async fn insert_api_token(
        &self,
        t: &ApiTokenRecord,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let row = api_tokens::Model {
            id: t.id,
            name: t.name.clone(),
            token_hash: token_hash.to_owned(),
            scopes: t.scopes.join(","),
            created_by: t.created_by,
            created_at: t.created_at,
            revoked_at: None,
        };
        api_tokens::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiTokenRecord>, StoreError> {
        let row = api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?;
        Ok(row.map(api_token))
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows = api_tokens::Entity::find()
            .order_by_asc(api_tokens::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(api_token).collect())
    }

    /// Revokes a token; returns false when it does not exist or was already revoked.
    pub async fn revoke_api_token(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = api_tokens::Entity::update_many()
            .col_expr(api_tokens::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(api_tokens::Column::Id.eq(id))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }
}

fn staff(r: staff_users::Model) -> StaffRecord {
    StaffRecord {
        id: r.id,
        email: r.email,
        password_hash: r.password_hash,
        role: r.role,
        created_at: r.created_at,
    }
}

fn customer(r: customers::Model) -> CustomerRecord {
    CustomerRecord {
        id: r.id,
        email: r.email,
        password_hash: r.password_hash,
        first_name: r.first_name,
        last_name: r.last_name,
        created_at: r.created_at,
    }
}
