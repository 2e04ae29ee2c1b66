//! `roster bench --queries-file FILE`: anyone's own searches, timed one by
//! one. The file holds one search a line; blank lines and lines starting
//! with `#` are skipped. Each search is run `--queries` times as the first
//! page of 50 of the users overview (and of the clients overview when
//! clients were seeded), through the same services the app uses, and
//! reported with its p50, p95 and max and how many it found, beside the
//! limit measured in the same run: the same first page with no search
//! (`"limit"`, a keyset page of 50 rows). A page whose total is a lower
//! bound read quickly (a frequent search on PostgreSQL) is followed, in
//! the app, by its total counted in full: that count is timed too
//! (`"count"`), and its total is the one reported.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use roster_core::clients::ClientQuery;
use roster_core::store::{Total, UserQuery};
use roster_core::{Directory, Operator};
use serde::Serialize;

use super::bench::{summarise, Latency, PAGE};

/// The longest search a file may hold, in characters.
const MAX_CHARS: usize = 200;

/// A file's searches, in its order.
pub struct QueriesFile {
    path: PathBuf,
    queries: Vec<String>,
}

#[derive(Serialize)]
pub struct QueriesReport {
    file: PathBuf,
    /// The first page of 50 with no search: the least a search can cost.
    limit: QueryReport,
    queries: Vec<QueryReport>,
}

#[derive(Serialize)]
struct QueryReport {
    /// `None` for the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    users: Timed,
    /// With `--clients`.
    #[serde(skip_serializing_if = "Option::is_none")]
    clients: Option<Timed>,
}

#[derive(Serialize)]
struct Timed {
    #[serde(flatten)]
    latency: Latency,
    /// How many the search finds: exact up to the overview's count cap,
    /// a lower bound past it (`hits_exact` false).
    hits: u64,
    hits_exact: bool,
    /// The total counted in full after a page that said only "more than"
    /// a number read quickly; the page is shown before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<Latency>,
}

/// A page's total, and whether it is a lower bound read quickly.
type PageTotal = (Total, bool);

impl QueriesFile {
    /// Reads and checks the file, before anything is seeded.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("The queries file {} could not be read.", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            anyhow::anyhow!(
                "The queries file {} is not UTF-8 text; save it as UTF-8.",
                path.display()
            )
        })?;
        let queries = parse(&text)
            .map_err(|problem| anyhow::anyhow!("The queries file {}: {problem}", path.display()))?;
        Ok(Self {
            path: path.to_owned(),
            queries,
        })
    }

    /// Times every search of the file on the users overview and, when
    /// `clients`, on the clients overview, `runs` times each.
    pub async fn measure(
        &self,
        directory: &Directory,
        operator: &Operator,
        runs: usize,
        clients: bool,
    ) -> anyhow::Result<QueriesReport> {
        let search = |query: Option<String>| async move {
            let users_query = UserQuery {
                search: query.clone(),
                limit: PAGE,
                ..UserQuery::default()
            };
            let users = time(
                runs,
                || async {
                    let page = directory.list_users(operator, &users_query).await?;
                    Ok((page.total, page.counting))
                },
                || async { Ok(directory.count_users(operator, &users_query).await?) },
            )
            .await?;
            let clients = if clients {
                let clients_query = ClientQuery {
                    search: query.clone(),
                    limit: PAGE,
                    ..ClientQuery::default()
                };
                Some(
                    time(
                        runs,
                        || async {
                            let page = directory.list_clients(operator, &clients_query).await?;
                            Ok((page.total, page.counting))
                        },
                        || async { Ok(directory.count_clients(operator, &clients_query).await?) },
                    )
                    .await?,
                )
            } else {
                None
            };
            anyhow::Ok(QueryReport {
                query,
                users,
                clients,
            })
        };
        let limit = search(None).await?;
        let mut queries = Vec::with_capacity(self.queries.len());
        for query in &self.queries {
            queries.push(search(Some(query.clone())).await?);
        }
        Ok(QueriesReport {
            file: self.path.clone(),
            limit,
            queries,
        })
    }
}

/// Runs `page` `runs` times and summarises the latencies beside the total
/// the last run found; when that total was a lower bound read quickly,
/// runs `count` as many times too, and reports the total it counted.
async fn time<F, Fut, C, CFut>(runs: usize, page: F, count: C) -> anyhow::Result<Timed>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<PageTotal>>,
    C: Fn() -> CFut,
    CFut: std::future::Future<Output = anyhow::Result<Total>>,
{
    let mut millis = Vec::with_capacity(runs);
    let mut total = (Total::exact(0), false);
    for _ in 0..runs {
        let started = Instant::now();
        total = page().await?;
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let (mut total, counting) = total;
    let mut counted = None;
    if counting {
        let mut millis = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            total = count().await?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        counted = Some(summarise(millis));
    }
    Ok(Timed {
        latency: summarise(millis),
        hits: total.count,
        hits_exact: total.exact,
        count: counted,
    })
}

/// The searches of a queries file's text, or what is wrong with it (a
/// sentence naming the line).
fn parse(text: &str) -> Result<Vec<String>, String> {
    let mut queries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let query = line.trim();
        if query.is_empty() || query.starts_with('#') {
            continue;
        }
        if query.chars().any(char::is_control) {
            return Err(format!(
                "line {number} holds a control character such as a tab; write one search a line."
            ));
        }
        if query.chars().count() > MAX_CHARS {
            return Err(format!(
                "line {number} is longer than {MAX_CHARS} characters; a search is shorter."
            ));
        }
        queries.push(query.to_owned());
    }
    if queries.is_empty() {
        return Err(
            "it holds no search; write one a line (blank lines and lines starting \
                    with # are skipped)."
                .to_owned(),
        );
    }
    Ok(queries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_read_one_a_line_skipping_blank_lines_and_comments() {
        let text = "# two-letter surnames\nLi\n\n  ng  \r\n   # indented comment\nmüller\n";
        assert_eq!(parse(text).unwrap(), ["Li", "ng", "müller"]);
    }

    #[test]
    fn a_file_without_searches_is_refused() {
        for text in ["", "\n\n", "# only a comment\n   \n"] {
            let problem = parse(text).unwrap_err();
            assert!(problem.starts_with("it holds no search"), "{problem}");
        }
    }

    #[test]
    fn bad_lines_are_named() {
        assert_eq!(
            parse("li\nann\tsmith\n").unwrap_err(),
            "line 2 holds a control character such as a tab; write one search a line."
        );
        let long = "x".repeat(MAX_CHARS + 1);
        assert_eq!(
            parse(&format!("# c\n\n{long}\n")).unwrap_err(),
            format!("line 3 is longer than {MAX_CHARS} characters; a search is shorter.")
        );
        assert_eq!(parse(&"x".repeat(MAX_CHARS)).unwrap().len(), 1);
    }

    #[test]
    fn an_unreadable_or_non_utf8_file_is_refused_with_its_name() {
        let folder = tempfile::tempdir().unwrap();
        let missing = folder.path().join("missing.txt");
        let error = QueriesFile::read(&missing).err().unwrap().to_string();
        assert!(error.contains("could not be read"), "{error}");
        let latin1 = folder.path().join("latin1.txt");
        std::fs::write(&latin1, b"M\xfcller\n").unwrap();
        let error = QueriesFile::read(&latin1).err().unwrap().to_string();
        assert!(error.contains("is not UTF-8 text"), "{error}");
        let empty = folder.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        let error = QueriesFile::read(&empty).err().unwrap().to_string();
        assert!(error.ends_with("it holds no search; write one a line (blank lines and lines starting with # are skipped)."), "{error}");
    }
}
