//! Sign-in for staff and customers (argon2id passwords, short-lived JWTs, rotating refresh
//! tokens), integrator API tokens, and turning a bearer credential into an [`Actor`].

use std::fmt;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use vitrine_domain::access::{Actor, StaffRole};
use vitrine_domain::id::new_id;
pub use vitrine_store::SubjectKind;
use vitrine_store::{ApiTokenRecord, CustomerRecord, RefreshOutcome, StaffRecord, Store};

use crate::error::{AppError, AppResult, ErrorCode, UserError};
use crate::limits::Throttle;
use crate::Settings;

/// A secret byte string that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(Arc<Vec<u8>>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Arc::new(bytes))
    }

    /// 32 random bytes from the operating system.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = vec![0u8; 32];
        getrandom::getrandom(&mut bytes)?;
        Ok(Self::new(bytes))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// An access token and the refresh token that renews it.
#[derive(Clone, Debug)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    /// The session, so that signing out revokes the access token too.
    sid: Uuid,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    exp: i64,
    iat: i64,
}

const API_TOKEN_PREFIX: &str = "vtk_";
pub const MIN_PASSWORD_LEN: usize = 8;

pub(crate) fn random_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|_| AppError::Unauthenticated)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Tokens are long random strings, so a fast hash is enough to store them safely.
pub(crate) fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(
        |_| {
            AppError::user(UserError::new(
                &["password"],
                ErrorCode::Invalid,
                "password cannot be hashed",
            ))
        },
    )
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

pub fn normalize_email(email: &str) -> AppResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AppError::user(UserError::new(&["email"], ErrorCode::Invalid, "email is invalid")))
    }
}

fn check_password_strength(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::user(UserError::new(
            &["password"],
            ErrorCode::PasswordTooShort,
            format!("password must have at least {MIN_PASSWORD_LEN} characters"),
        )));
    }
    Ok(())
}

#[derive(Clone)]
pub struct IdentityService {
    store: Store,
    settings: Arc<Settings>,
    throttle: Throttle,
    /// A real hash to verify against when the email is unknown, so that both failures take
    /// the same time and the same error.
    decoy_hash: Arc<String>,
}

fn invalid_credentials() -> AppError {
    AppError::user(UserError::new(
        &["email"],
        ErrorCode::InvalidCredentials,
        "email or password is incorrect",
    ))
}

impl IdentityService {
    pub fn new(store: Store, settings: Arc<Settings>, throttle: Throttle) -> Self {
        let decoy_hash = hash_password("decoy password for unknown emails").unwrap_or_default();
        Self { store, settings, throttle, decoy_hash: Arc::new(decoy_hash) }
    }

    /// Sign-in attempts are counted per email (guessing one account's password) and, where
    /// the client's address is known, per address (trying one password on many accounts).
    async fn rate_limit(&self, client: Option<std::net::IpAddr>, email: &str) -> AppResult<()> {
        let (attempts, window) = (self.settings.sign_in_attempts, self.settings.sign_in_window);
        self.throttle.allow(email, attempts, window, "email", "sign-in attempts").await?;
        if let Some(client) = client {
            let per_client = self.settings.sign_in_attempts_per_client;
            let key = format!("sign-in:{client}");
            self.throttle.allow(&key, per_client, window, "email", "sign-in attempts").await?;
        }
        Ok(())
    }

    /// Creates a staff user; used by `vitrine admin create`.
    pub async fn create_staff(
        &self,
        email: &str,
        password: &str,
        role: StaffRole,
    ) -> AppResult<StaffRecord> {
        let email = normalize_email(email)?;
        check_password_strength(password)?;
        let record = StaffRecord {
            id: new_id(),
            email,
            password_hash: hash_password(password)?,
            role: role.as_str().to_owned(),
            created_at: Utc::now(),
        };
        self.store.insert_staff(&record).await?;
        Ok(record)
    }

    pub async fn staff_sign_in(
        &self,
        client: Option<std::net::IpAddr>,
        email: &str,
        password: &str,
    ) -> AppResult<TokenPair> {
        self.sign_in(SubjectKind::Staff, client, email, password).await
    }

    /// Registers a customer. A registered email answers `TAKEN`, as Shopify does; attempts
    /// are limited per client address so that trying emails one by one stays slow.
    pub async fn customer_create(
        &self,
        client: Option<std::net::IpAddr>,
        email: &str,
        password: &str,
        first_name: Option<String>,
        last_name: Option<String>,
    ) -> AppResult<CustomerRecord> {
        if let Some(client) = client {
            let (attempts, window) = (self.settings.sign_up_attempts, self.settings.sign_in_window);
            let key = format!("sign-up:{client}");
            self.throttle.allow(&key, attempts, window, "email", "sign-up attempts").await?;
        }
        let email = normalize_email(email)?;
        check_password_strength(password)?;
        let record = CustomerRecord {
            id: new_id(),
            email,
            password_hash: hash_password(password)?,
            first_name: first_name.filter(|s| !s.trim().is_empty()),
            last_name: last_name.filter(|s| !s.trim().is_empty()),
            created_at: Utc::now(),
        };
        self.store.insert_customer(&record).await?;
        Ok(record)
    }

    pub async fn customer_sign_in(
        &self,
        client: Option<std::net::IpAddr>,
        email: &str,
        password: &str,
    ) -> AppResult<TokenPair> {
        self.sign_in(SubjectKind::Customer, client, email, password).await
    }

    /// Checks a password and opens a session. An unknown email costs the same hashing as a
    /// wrong password (the decoy hash) and gives the same error, so neither timing nor
    /// answer tells whether an account exists.
    async fn sign_in(
        &self,
        kind: SubjectKind,
        client: Option<std::net::IpAddr>,
        email: &str,
        password: &str,
    ) -> AppResult<TokenPair> {
        let email = email.trim().to_lowercase();
        let account = match kind {
            SubjectKind::Staff => {
                self.rate_limit(client, &format!("staff:{email}")).await?;
                let staff = self.store.staff_by_email(&email).await?;
                staff.map(|s| (s.id, s.password_hash, Some(s.role)))
            }
            SubjectKind::Customer => {
                self.rate_limit(client, &format!("customer:{email}")).await?;
                let customer = self.store.customer_by_email(&email).await?;
                customer.map(|c| (c.id, c.password_hash, None))
            }
        };
        let hash = account.as_ref().map_or(self.decoy_hash.as_str(), |(_, hash, _)| hash.as_str());
        let valid = verify_password(hash, password);
        match account {
            Some((id, _, role)) if valid => self.open_session(kind, id, role).await,
            _ => Err(invalid_credentials()),
        }
    }

    async fn open_session(
        &self,
        kind: SubjectKind,
        subject: Uuid,
        role: Option<String>,
    ) -> AppResult<TokenPair> {
        let refresh = random_token()?;
        let session_id = new_id();
        let refresh_expires = Utc::now() + self.settings.refresh_token_ttl;
        self.store
            .insert_session(session_id, kind, subject, &token_hash(&refresh), refresh_expires)
            .await?;
        self.issue(kind, subject, session_id, role, refresh)
    }

    fn issue(
        &self,
        kind: SubjectKind,
        subject: Uuid,
        session: Uuid,
        role: Option<String>,
        refresh: String,
    ) -> AppResult<TokenPair> {
        let now = Utc::now();
        let expires_at = now + self.settings.access_token_ttl;
        let claims = Claims {
            sub: subject,
            sid: session,
            kind: match kind {
                SubjectKind::Staff => "staff".to_owned(),
                SubjectKind::Customer => "customer".to_owned(),
            },
            role,
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
        };
        let access_token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.settings.jwt_secret.expose()),
        )
        .map_err(|_| AppError::Unauthenticated)?;
        Ok(TokenPair { access_token, expires_at, refresh_token: refresh })
    }

    /// Exchanges a refresh token for a new pair. The old refresh token stops working; using it
    /// again later revokes the whole session, since only a thief would.
    pub async fn renew(&self, refresh_token: &str, expected: SubjectKind) -> AppResult<TokenPair> {
        let invalid = || {
            AppError::user(UserError::new(
                &["refreshToken"],
                ErrorCode::InvalidToken,
                "refresh token is invalid or expired",
            ))
        };
        let new_refresh = random_token()?;
        let expires = Utc::now() + self.settings.refresh_token_ttl;
        match self
            .store
            .rotate_refresh_token(&token_hash(refresh_token), &token_hash(&new_refresh), expires)
            .await?
        {
            RefreshOutcome::Rotated(session) if session.subject_kind == expected => {
                let role = match session.subject_kind {
                    SubjectKind::Staff => {
                        let staff = self
                            .store
                            .staff_by_id(session.subject_id)
                            .await?
                            .ok_or_else(invalid)?;
                        Some(staff.role)
                    }
                    SubjectKind::Customer => None,
                };
                self.issue(session.subject_kind, session.subject_id, session.id, role, new_refresh)
            }
            RefreshOutcome::Rotated(session) => {
                self.store.revoke_session(session.id).await?;
                Err(invalid())
            }
            RefreshOutcome::Replayed | RefreshOutcome::Unknown => Err(invalid()),
        }
    }

    /// Signs out: the session behind an access token is revoked, which invalidates both it
    /// and its refresh token.
    pub async fn sign_out(&self, access_token: &str) -> AppResult<()> {
        let claims = self.decode(access_token).ok_or_else(|| {
            AppError::user(UserError::new(
                &["customerAccessToken"],
                ErrorCode::InvalidToken,
                "access token is invalid",
            ))
        })?;
        self.store.revoke_session(claims.sid).await?;
        Ok(())
    }

    fn decode(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(self.settings.jwt_secret.expose()),
            &validation,
        )
        .ok()
        .map(|data| data.claims)
    }

    /// Resolves the `Authorization: Bearer …` credential of a request. A credential that is
    /// present but wrong is an error, not anonymous access, so clients notice.
    pub async fn authenticate(&self, bearer: &str) -> AppResult<Actor> {
        if bearer.starts_with(API_TOKEN_PREFIX) {
            let token = self.store.api_token_by_hash(&token_hash(bearer)).await?;
            return match token {
                Some(t) if !t.revoked => {
                    let permissions = Actor::permissions_from_scopes(&t.scopes).unwrap_or_default();
                    Ok(Actor::Integrator { token_id: t.id, permissions })
                }
                _ => Err(AppError::Unauthenticated),
            };
        }
        let claims = self.decode(bearer).ok_or(AppError::Unauthenticated)?;
        let session = self.store.session(claims.sid).await?;
        if session.is_none_or(|s| s.revoked || s.subject_id != claims.sub) {
            return Err(AppError::Unauthenticated);
        }
        match claims.kind.as_str() {
            "staff" => {
                let role = claims
                    .role
                    .as_deref()
                    .unwrap_or_default()
                    .parse()
                    .map_err(|_| AppError::Unauthenticated)?;
                Ok(Actor::Staff { id: claims.sub, role })
            }
            "customer" => Ok(Actor::Customer { id: claims.sub }),
            _ => Err(AppError::Unauthenticated),
        }
    }

    pub async fn customer(&self, id: Uuid) -> AppResult<Option<CustomerRecord>> {
        Ok(self.store.customers_by_ids(&[id]).await?.into_iter().next())
    }

    /// Creates an integrator token. The secret is returned once; only its hash is kept.
    pub async fn api_token_create(
        &self,
        name: &str,
        scopes: &[String],
        created_by: Option<Uuid>,
    ) -> AppResult<(ApiTokenRecord, String)> {
        let name = vitrine_domain::catalog::validate_title("name", name)?;
        if scopes.is_empty() {
            return Err(AppError::user(UserError::new(
                &["scopes"],
                ErrorCode::Blank,
                "a token needs at least one scope",
            )));
        }
        Actor::permissions_from_scopes(scopes).map_err(|e| {
            AppError::user(UserError::new(&["scopes"], ErrorCode::Invalid, e.to_string()))
        })?;
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let secret = format!("{API_TOKEN_PREFIX}{}", random_token()?);
        let record = ApiTokenRecord {
            id: new_id(),
            name,
            scopes,
            created_by,
            created_at: Utc::now(),
            revoked: false,
        };
        self.store.insert_api_token(&record, &token_hash(&secret)).await?;
        Ok((record, secret))
    }

    pub async fn api_token_revoke(&self, id: Uuid) -> AppResult<()> {
        if self.store.revoke_api_token(id).await? {
            Ok(())
        } else {
            Err(AppError::user(UserError::not_found("id", "API token")))
        }
    }

    pub async fn api_tokens(&self) -> AppResult<Vec<ApiTokenRecord>> {
        Ok(self.store.api_tokens().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email(" Ada@Example.COM ").ok(), Some("ada@example.com".to_owned()));
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com"] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new(b"hunter2".to_vec());
        assert_eq!(format!("{secret:?}"), "Secret(..)");
    }
}
