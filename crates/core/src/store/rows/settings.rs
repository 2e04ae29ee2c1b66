//! Settings: one text value per key.

use async_trait::async_trait;

use crate::store::sql::{self, Sql};
use crate::store::StoreError;

/// Settings, as one transaction reads and writes them.
#[async_trait]
pub trait SettingsTx: Send {
    async fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    async fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
}

#[async_trait]
impl<S: Sql + ?Sized> SettingsTx for S {
    async fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sql::query_opt(
            self,
            "SELECT value FROM settings WHERE key = $1",
            &[key.into()],
        )
        .await?;
        row.map(|row| row.text(0)).transpose()
    }

    async fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[key.into(), value.into()],
        )
        .await?;
        Ok(())
    }
}
