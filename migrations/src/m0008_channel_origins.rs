//! `channels.allowed_origins`: the web origins whose pages may call the API with the channel's
//! storefront key (CORS), comma-separated; `*` allows any origin. Empty for existing channels:
//! nothing changes for them until staff list their sites.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_channel_origins"
    }
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    AllowedOrigins,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Channels::Table)
                    .add_column(
                        ColumnDef::new(Channels::AllowedOrigins).text().not_null().default(""),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Channels::Table)
                    .drop_column(Channels::AllowedOrigins)
                    .to_owned(),
            )
            .await
    }
}
