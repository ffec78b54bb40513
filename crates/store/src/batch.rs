//! Several writes sent as one statement where the database allows it.
//!
//! PostgreSQL runs data-changing statements written as common table expressions
//! (`WITH a AS (INSERT …), b AS (UPDATE …) INSERT …`) as one statement: one round trip, one
//! plan and one executor start-up instead of one each, which is most of what a small write
//! costs. They all see the database as it was before the statement, so only writes that do
//! not read each other's rows may go together. SQLite has no such form; there they run one
//! after another.

use sea_orm::sea_query::Values;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use crate::StoreError;

/// PostgreSQL accepts at most 65,535 bound values in one statement; stay well below.
const MAX_VALUES: usize = 30_000;

/// Writes to run together, in order.
#[derive(Default)]
pub(crate) struct Batch {
    statements: Vec<Statement>,
}

impl Batch {
    pub(crate) fn push(&mut self, statement: Statement) {
        self.statements.push(statement);
    }

    pub(crate) fn extend(&mut self, statements: impl IntoIterator<Item = Statement>) {
        self.statements.extend(statements);
    }

    /// Runs the writes, in order; returns how many rows the last one affected.
    pub(crate) async fn run<C: ConnectionTrait>(self, db: &C) -> Result<u64, StoreError> {
        let mut affected = 0;
        if db.get_database_backend() != DbBackend::Postgres {
            for statement in self.statements {
                affected =
                    db.execute(statement).await.map_err(StoreError::from_write)?.rows_affected();
            }
            return Ok(affected);
        }
        let mut group: Vec<Statement> = vec![];
        let mut values = 0;
        for statement in self.statements {
            let n = statement.values.as_ref().map_or(0, |v| v.0.len());
            if !group.is_empty() && values + n > MAX_VALUES {
                let statement = combine(std::mem::take(&mut group));
                db.execute(statement).await.map_err(StoreError::from_write)?;
                values = 0;
            }
            values += n;
            group.push(statement);
        }
        if !group.is_empty() {
            // A statement's count is that of its main part: the last write.
            affected =
                db.execute(combine(group)).await.map_err(StoreError::from_write)?.rows_affected();
        }
        Ok(affected)
    }
}

impl Batch {
    /// Runs the writes, in order, the last of which returns one row (`… RETURNING …`): that
    /// row.
    pub(crate) async fn run_returning<C: ConnectionTrait>(
        mut self,
        db: &C,
    ) -> Result<Option<QueryResult>, StoreError> {
        let Some(last) = self.statements.pop() else { return Ok(None) };
        if db.get_database_backend() != DbBackend::Postgres {
            self.run(db).await?;
            return db.query_one(last).await.map_err(StoreError::from_write);
        }
        // Everything that fits goes with the last; anything before runs first.
        let mut group = vec![last];
        let mut values = group[0].values.as_ref().map_or(0, |v| v.0.len());
        while let Some(previous) = self.statements.pop() {
            let n = previous.values.as_ref().map_or(0, |v| v.0.len());
            if values + n > MAX_VALUES {
                self.statements.push(previous);
                break;
            }
            values += n;
            group.insert(0, previous);
        }
        self.run(db).await?;
        db.query_one(combine(group)).await.map_err(StoreError::from_write)
    }
}

/// One PostgreSQL statement doing what `statements` do: all but the last become CTEs, and
/// each one's `$n` placeholders move up past the values of those before it.
fn combine(mut statements: Vec<Statement>) -> Statement {
    if statements.len() == 1 {
        if let Some(only) = statements.pop() {
            return only;
        }
    }
    let mut sql = String::from("WITH ");
    let mut values = Vec::new();
    let last = statements.len() - 1;
    for (i, statement) in statements.into_iter().enumerate() {
        let text = renumber(&statement.sql, values.len());
        if i < last {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("w{i} AS ({text})"));
        } else {
            sql.push(' ');
            sql.push_str(&text);
        }
        values.extend(statement.values.map(|v| v.0).unwrap_or_default());
    }
    Statement::from_sql_and_values(DbBackend::Postgres, sql, Values(values))
}

/// `$1`, `$2`, … in `sql` shifted by `offset`. The statements come from the query builder or
/// from this crate, which bind every value, so a `$` followed by digits is always a
/// placeholder.
fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&digits),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
    }

    #[test]
    fn later_statements_bind_the_values_after_the_earlier_ones() {
        let combined = combine(vec![
            pg("INSERT INTO a (x, y) VALUES ($1, $2)", vec![1.into(), 2.into()]),
            pg("UPDATE b SET x = $1 WHERE id = $2", vec![3.into(), 4.into()]),
            pg("INSERT INTO c (x) VALUES ($1), ($2), ($10)", vec![5.into(), 6.into()]),
        ]);
        assert_eq!(
            combined.sql,
            "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)), \
             w1 AS (UPDATE b SET x = $3 WHERE id = $4) INSERT INTO c (x) VALUES ($5), ($6), ($14)"
        );
        let values: Vec<sea_orm::Value> = combined.values.map(|v| v.0).unwrap_or_default();
        assert_eq!(values, (1..=6).map(sea_orm::Value::from).collect::<Vec<_>>());
    }

    #[test]
    fn one_statement_is_sent_as_it_is() {
        let one = combine(vec![pg("DELETE FROM a WHERE id = $1", vec![1.into()])]);
        assert_eq!(one.sql, "DELETE FROM a WHERE id = $1");
    }
}
