//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "vitrine", version, about = "Headless multi-brand commerce gateway")]
pub struct Cli {
    /// A TOML configuration file; `VITRINE_*` environment variables override it.
    #[arg(long, global = true, env = "VITRINE_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrates the database and serves the GraphQL API.
    Serve {
        /// Loads the demo catalog when the database has no products.
        #[arg(long)]
        demo: bool,
    },
    /// Applies pending database migrations and exits.
    Migrate,
    /// Loads the demo catalog into an empty database, or generates N more products.
    Seed {
        /// Generates this many deterministic products for benchmarks.
        #[arg(long)]
        products: Option<usize>,
    },
    /// Prints the GraphQL schema (SDL).
    Schema,
    /// Manages staff users.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Creates a staff user. The password is read from standard input (prompted for on a
    /// terminal), never from the command line.
    Create {
        #[arg(long)]
        email: String,
        /// owner, admin, catalog_manager or support.
        #[arg(long)]
        role: String,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_takes_a_demo_flag() {
        let cli = Cli::try_parse_from(["vitrine", "serve", "--demo"]).expect("valid arguments");
        assert!(matches!(cli.command, Command::Serve { demo: true }));
    }

    #[test]
    fn admin_create_takes_no_password_argument() {
        let parsed = Cli::try_parse_from([
            "vitrine",
            "admin",
            "create",
            "--email",
            "a@b.co",
            "--role",
            "owner",
            "--password",
            "x",
        ]);
        assert!(parsed.is_err());
    }
}
