//! A search's plan on PostgreSQL, which plans by its own statistics:
//! they misjudge a rare search often enough to walk a whole sort index for
//! it, and a search whose hits cluster late in the name sort ("jennifer")
//! is walked to whatever they say. So the plan reads a rare search's hits
//! first ([`Reading::Hits`]) and splits a clustered one
//! ([`Reading::Split`]), or reads a clustered one's hits with their keys
//! from the indexes of the name's key and the email ([`crowd`]) (a
//! filtered page's past the count's cap tested in the page's order,
//! [`kept_in_order`], else every one sorted, [`Reading::Sorted`]), or
//! walks further for the page of one of more hits than the cap
//! ([`walk::walk_further`]); the server plans the rest, but in a team
//! whose keys a page may walk ([`team_reading`]).

use crate::store::sql::{Dialect, Params, Sql, SqlRow};
use crate::store::{Direction, SortKey, StoreError, COUNT_CAP};

use super::{
    limit_of, rule, starting_count, PageAsk, Planned, Reading, Subject, TextSort, SPLIT_OTHERS,
    SUBSTRING,
};

mod kept;
mod others;
mod team;
mod walk;

use kept::filtered_page;
use others::{other_hits, others_conditions, others_sampled, splits};
pub(super) use team::team_reading;
pub(in crate::store::rows) use team::{reads_team_pairs, TeamAsk};
pub(super) use walk::walk_rule;
use walk::{walk_further, walk_length, walk_to, walked, walks};

/// The plan of a search on PostgreSQL. Among more than the count's cap of
/// rows, a page of the search alone, or filtered by a status or a large
/// group ([`PageAsk::filter`]), that may count quickly
/// ([`PageAsk::quick`]) is planned by [`quick_plan`] first: where its hits
/// cluster where it starts the name's key, only when a short walk finds
/// its other hits dense enough to walk to. Else, in the name or email
/// sort, a search of three characters or more, or a word start
/// ([`splits`]), whose hits cluster there (over half
/// of [`postgres_limit`] keys start with it, counted on the sort's index)
/// is a [`Reading::Split`] when at most [`SPLIT_OTHERS`] of its other hits
/// do not ([`other_hits`]): "jennifer" by name, 10,000 and more hits among
/// a million clients, 1.1 s planned by the server (up to 1.6 s), 7 ms so;
/// "ve" among a million users of whom 38,000 are Veras, 2.3 s walked by
/// the server.
/// Its total is the two counts. Else it reads its hits' ids,
/// up to the overview's count cap and one more (what its total would count
/// anyway, by the same indexes), each with its key in the page's sort when
/// there is a page of the search alone (`page`). They are
/// its page's rows ([`Reading::Hits`]): every one up to the cap with their
/// keys (the page then looks up its own, [`super::Planned::page`]; a
/// filtered page's the first its filter keeps in its order, or each
/// tested, [`filtered_page`]), else at
/// most [`postgres_limit`] of them, or up to the cap in a text sort where
/// over half that many keys start with the search (its hits cluster there,
/// where the server would walk to them: "jose" by name, 8,530 hits, 1.1 s
/// walked). More are planned by the server ([`Reading::Index`]), which
/// walks the sort's index for them. A page that may count quickly counts
/// the keys of either text sort that start with the search, so that one
/// of hits that cluster there gives up its walk soon; it then reads those
/// hits with their keys mostly from the two text keys' indexes
/// ([`crowd`]): a page alone is picked from them, a filtered one tests
/// each (past the cap, the first in the page's order that its filter
/// keeps, [`kept_in_order`], else read and sorted by the rule,
/// [`Reading::Sorted`]);
/// where too many hold the search (there, or read to the cap), a longer
/// walk finds the page ([`walk_further`]), else the server walks to it.
pub(super) async fn reading<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    (text_sort, page): (Option<TextSort>, Option<&PageAsk<'_>>),
    rows: (u64, u64),
) -> Result<Planned, StoreError> {
    let limit = postgres_limit(rows);
    // Among at most the cap's rows every search's hits are read below,
    // and a small directory is spared the count's round trip.
    let large = rows.0 > COUNT_CAP;
    let splits = splits(subject, text) && large;
    // In a text sort, how many keys start with the search, up to half
    // the limit and one more; over half the limit, its hits cluster there
    // (`crowded`), and may be split.
    let starting_key = text_sort.filter(|_| splits).map(|(_, key)| key);
    let starting = match starting_key {
        Some(key) => Some(starting_count(sql, (subject, key), text, limit / 2).await?),
        None => None,
    };
    let crowded = starting.is_some_and(|starting| starting > limit / 2);
    // A page of the search alone (or filtered) reads at most `quick` hits;
    // a frequent one's is walked to, and its total counted in full when
    // asked for.
    // (Before a split's other hits are read: where a walk finds the page,
    // they are many, 6–14 ms read for "mar" at 100,000 users.)
    let walked_first = page.filter(|page| page.quick && large && walks(subject, text));
    // Whether a page's long walk found nothing: [`walk_further`] would not.
    let mut walked_far = false;
    if let Some(page) = walked_first {
        let quick = quick_limit(rows.0);
        // Hits that cluster where they start the name ("jose"): a walk
        // would go far for them, unless its short first part finds the
        // others dense enough ("ann", "mar"). In the email sort only as
        // many as those read and sorted below, bounded either way.
        let clustered = match text_sort {
            Some(("name", _)) => starting.is_some_and(|starting| starting > quick / 2),
            _ => crowded,
        };
        let asked = (rows, quick, clustered);
        match quick_plan(sql, (subject, text), page, asked).await? {
            Quick::Page(planned) => return Ok(planned),
            Quick::WalkedFar => walked_far = true,
            Quick::Not => {}
        }
    }
    if let Some(key) = starting_key.filter(|_| crowded) {
        // A page still to walk to.
        let to_walk = walked_first.filter(|_| !walked_far);
        // Its other hits are not read where a sample of the creation order
        // finds them many times too many for a split.
        let sampled = match to_walk {
            Some(page) => {
                let most = sample_size(page.rows as u64, rows.0);
                others_sampled(sql, (subject, text), key, (most, rows.0)).await?
            }
            None => 0,
        };
        let others = match sampled > SAMPLED_OTHERS {
            true => None,
            false => Some(other_hits(sql, (subject, text), key).await?),
        };
        let others = match others {
            Some(others) if others.len() as u64 <= SPLIT_OTHERS => {
                let starting = starting_count(sql, (subject, key), text, COUNT_CAP).await?;
                return Ok(Planned {
                    reading: Reading::Split,
                    counted: Some((starting + others.len() as u64).min(COUNT_CAP + 1)),
                    ids: others,
                    keys: Vec::new(),
                    stopped: false,
                });
            }
            others => others,
        };
        // More other hits than a split reads are dense enough for a walk
        // of the sort's index to its page as long as one needs for that
        // many evenly spread (51,000 entries at a million, about 20 ms),
        // before the crowd's read (which gives up where the others pass
        // the cap: "a" by name, descending, among a million users of whom
        // 38,000 are Anns and 41,000 Andersens, read 100–160 ms for
        // nothing, then the server walked 216 ms to the last Andersens of
        // the Zoës' run, 36,900 entries in).
        if let Some(page) = to_walk {
            let many = SPLIT_OTHERS + 1;
            let kept = match page.filter {
                Some(_) => kept_of(many, rows),
                None => many,
            };
            if let Some(ids) = walk_to(sql, (subject, text), page, (rows.0, kept)).await? {
                let wanted = page.rows as u64;
                if ids.len() as u64 == wanted {
                    // At least the keys counted and the others read (no
                    // row is both), or filtered its page.
                    let read = others.map_or(0, |others| others.len() as u64);
                    let found = starting.unwrap_or_default() + read;
                    let counted = if page.filter.is_some() { wanted } else { found };
                    return Ok(Planned::walked_to(ids, counted));
                }
                walked_far = true;
            }
        }
    }
    // A filtered page's hits are not all its own.
    let alone = page.filter(|page| page.filter.is_none());
    // A page whose walks did not find it, of a search whose hits crowd
    // where they start the sort's key: every hit with its key, most read
    // from the two text keys' indexes alone ("jennifer" by email at a
    // million users, 14,000 hits: each one's row read and tested, then
    // every one read again and sorted, 200 ms). Alone, its page is picked
    // from their keys; filtered, its hits are each looked up and tested
    // (as a filtered page's are, below), and past the cap read and sorted
    // by the rule, where the server would walk to them past every row
    // before, each read and tested ("michael" among the enabled by email,
    // 4–10 s). Where the crowd's read finds too many, a longer walk
    // looks for the page ("mar" in a group of 200,000 by email, 95,000
    // hits: 11 s read and sorted, the server's walk 100 ms, this one's
    // 47 among the disabled, where the server's took 450).
    // (A walk further after a long one that failed finds nothing more.)
    let further = walked_first.filter(|_| !walked_far);
    if let Some(key) = starting_key.filter(|_| crowded && walked_first.is_some()) {
        if let Some(mut planned) = crowd(sql, (subject, text), key).await? {
            if let (None, Some(page)) = (alone, walked_first) {
                planned = filtered_page(sql, subject, planned, (page, rows)).await?;
            }
            return Ok(planned);
        }
        return walk_further(sql, (subject, text), further, rows).await;
    }
    // (A filtered page's with their keys where it may pick its own among
    // them in order, `filtered_page`.)
    let keyed = page.filter(|page| page.filter.is_none() || page.quick);
    let (ids, keys) = hits(sql, (subject, text), keyed, COUNT_CAP + 1).await?;
    let found = ids.len() as u64;
    // More than the cap: a page whose short walks did not find it walks
    // further first ("ali" among the disabled by name, descending: the
    // server walked 460 ms for it).
    if found > COUNT_CAP {
        return walk_further(sql, (subject, text), further, rows).await;
    }
    // With their keys, every hit up to the cap is the page's: it looks up
    // its own rows only ("nguyễn", 4,095 hits among a million clients: 38
    // ms to 14). A filtered page's are looked up and tested in its order
    // until its filter keeps a page of them, or each one ([`filtered_page`]),
    // which the server does faster than it tests the rule on the rows it
    // reads for the filter ("mar", 9,507 hits among 100,000 users, in a
    // group of 20,000: counted in 814 ms by the rule, 20 by its hits).
    let picked = page.is_some() && found <= COUNT_CAP;
    let clustered = match (text_sort, starting) {
        _ if picked || found <= limit || found > COUNT_CAP => false,
        (Some(_), Some(_)) => crowded,
        (Some((_, key)), None) => {
            starting_count(sql, (subject, key), text, limit / 2).await? > limit / 2
        }
        _ => false,
    };
    Ok(if found <= limit || clustered || picked {
        let planned = Planned::every_hit(ids, keys);
        match page.filter(|page| page.filter.is_some()) {
            Some(page) => filtered_page(sql, subject, planned, (page, rows)).await?,
            None => planned,
        }
    } else {
        Planned {
            reading: Reading::Index,
            counted: Some(found),
            ids: Vec::new(),
            keys: Vec::new(),
            stopped: false,
        }
    })
}

/// What a filter that leaves `within` of `rows` users keeps of `n`: n × f.
fn kept_of(n: u64, (rows, within): (u64, u64)) -> u64 {
    u64::try_from(u128::from(n) * u128::from(within) / u128::from(rows.max(1))).unwrap_or(n)
}

/// What [`quick_plan`] found: a page's plan, or none, after a long walk
/// or not.
enum Quick {
    Page(Planned),
    WalkedFar,
    Not,
}

/// The plan of a page of a search alone among `rows`, of which a page
/// reads at most `quick` hits by id, or none ([`Quick::Not`], or
/// [`Quick::WalkedFar`] after a long walk that did not find it) when it is
/// to read every hit up to the cap: also a search whose hits cluster where it starts the
/// name (`clustered`) unless the short walk finds the page, or its other
/// hits as dense as a long walk needs (at 100,000 users "ann", 3,035
/// hits of which 772 start the name, and "mar", 9,507 (2,881): every hit
/// read, 22 and 60 ms). A short walk of the sort's index comes first ([`walked`],
/// a page's rows for each [`COUNT_CAP`]th of the rows: 5,100 entries at a
/// million, about 2 ms), which fills the page of a search that finds one
/// row in a hundred or more ("li" among a million clients, whose hits the
/// trigram indexes hand back in 30–40 ms however few are read: 3 ms). As
/// many hits through the rest of the index as it found in its part are
/// more than `quick` for a page walked to (at most twice the way at
/// `quick` hits); in a text sort, where they are fewer, a short walk of
/// the creation order judges again, and a page it finds dense enough is
/// walked to twice as far; fewer are read by id, every one up to `quick`
/// ([`Reading::Hits`], exact), and more than that walked to. A page walked to counts nothing beyond itself and
/// what was read: its total is a lower bound ([`Planned::stopped`]). A
/// page filtered too (`page.filter`, within `rows.1` users) is planned
/// the same way, its longer walk only where the filter leaves twice its
/// page of the hits expected (a rare status would walk every entry for
/// none); up to as many of its hits as that walk is planned for (a word
/// start's up to `quick`) are read by id with their keys, its page picked
/// among them ([`filtered_page`]; more, read again by [`reading`] up to
/// the cap, when the walk fails).
/// A page not found says whether a long walk failed ([`Quick::WalkedFar`]).
async fn quick_plan<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    page: &PageAsk<'_>,
    ((rows, within), quick, clustered): ((u64, u64), u64, bool),
) -> Result<Quick, StoreError> {
    let wanted = page.rows as u64;
    // A filtered page's hits are as many fewer as its filter leaves users
    // (a share f of them), and its walk as much longer: it is walked to
    // for √(1/f) times as many of the search's hits, where the two ways
    // cost about the same, and planned for that many, f of them kept (at
    // 100,000 users, among the disabled, a tenth: 9,507 hits of "mar" 172
    // ms read, 27 walked; 1,000 of "schmidt" 12 read, 51 walked).
    // n × f: what the filter leaves of n users (n itself unfiltered).
    let kept_of = |n: u64| kept_of(n, (rows, within));
    let (walk_from, kept) = match page.filter {
        Some(_) => {
            let share = within.max(1) as f64 / rows.max(1) as f64;
            let from = ((quick as f64 / share.sqrt()) as u64).clamp(1, COUNT_CAP);
            (from, kept_of(from).max(1))
        }
        None => (quick, quick.max(1)),
    };
    let walked_page = |ids: Vec<i64>, counted| match ids.len() as u64 == wanted {
        true => Quick::Page(Planned::walked_to(ids, counted)),
        false => Quick::WalkedFar,
    };
    let longest = walk_length(wanted, rows, kept);
    let first = wanted.saturating_mul(rows) / COUNT_CAP;
    let (found, seen) = walked(sql, (subject, text), page, (first, true)).await?;
    if found.len() as u64 == wanted {
        return Ok(walked_page(found, wanted));
    }
    // The search's hits among the entries walked (a filtered page's too,
    // where its own are too few to judge by), as many through the rest.
    let expected = seen.saturating_mul(rows) / first.max(1);
    if expected > walk_from && kept_of(expected) >= 2 * wanted {
        let (found, _) = walked(sql, (subject, text), page, (longest, false)).await?;
        return Ok(walked_page(found, wanted));
    }
    if clustered {
        return Ok(Quick::Not);
    }
    // A text sort's first entries are no sample of the rest: a surname's
    // people sit late in each first name's run ("zh" by name among a
    // million users of 26 first names: the first Zhang 36,700 entries
    // in). The creation order's are, and its index holds what the rule
    // tests (V18): where a short walk of it finds the search as dense as
    // a long walk needs, that walk comes first, twice as long, where its
    // hits were read by id (25 ms for 2,829 of "zh"'s), then walked to.
    if page.text {
        let (_, row) = subject.table();
        let created = format!("{row}.created_at");
        let sample = PageAsk {
            column: &created,
            text: false,
            direction: Direction::Asc,
            after: None,
            filter: None,
            ..*page
        };
        let most = sample_size(wanted, rows);
        let (_, sampled) = walked(sql, (subject, text), &sample, (most, true)).await?;
        let expected = sampled.saturating_mul(rows) / most.max(1);
        if expected > walk_from && kept_of(expected) >= 2 * wanted {
            let longer = longest.saturating_mul(2).min(rows.max(1));
            let (found, _) = walked(sql, (subject, text), page, (longer, false)).await?;
            return Ok(walked_page(found, wanted));
        }
    }
    // (A filtered page's hits with their keys: its page picked among them
    // in order, or each looked up and tested, `filtered_page`.)
    // A filtered page of three characters or more reads as many as its
    // longer walk is planned for (`walk_from`, √(1/f) times `quick`):
    // fewer would leave that walk short of its page, walked for nothing
    // ("nguyen" among the disabled by creation at a million users, 4,034
    // hits: 111,857 entries walked for 45 of them, then every hit read;
    // 74 ms to 30). A word start's hits cost more to read (its trigrams
    // are every word's that starts so), and a page reads `quick` of them.
    // (Each with its key: a filtered page may pick its own among them in
    // order, `filtered_page`.)
    let most = match text.chars().count() >= SUBSTRING {
        true => walk_from,
        false => quick,
    };
    let (ids, keys) = hits(sql, (subject, text), Some(page), most + 1).await?;
    let found = ids.len() as u64;
    if found <= most {
        let planned = Planned::every_hit(ids, keys);
        return Ok(Quick::Page(match page.filter {
            Some(_) => filtered_page(sql, subject, planned, (page, (rows, within))).await?,
            None => planned,
        }));
    }
    // A filtered page walks only where the hits read leave it its page
    // (a rare status would have every entry walked for none).
    if page.filter.is_some() && kept_of(found) < wanted {
        return Ok(Quick::Not);
    }
    let (walked_to, _) = walked(sql, (subject, text), page, (longest, false)).await?;
    // The hits read say how many the page has at least, unless filtered.
    let counted = match page.filter {
        Some(_) => wanted,
        None => found,
    };
    Ok(walked_page(walked_to, counted))
}

/// Up to `most` (at most the count's cap and one more) of a search's hits'
/// ids, read through the trigram indexes
/// and each tested by the rule, each with its key in `page`'s sort when
/// there is a page to pick from them.
async fn hits<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    page: Option<&PageAsk<'_>>,
    most: u64,
) -> Result<(Vec<i64>, Vec<SortKey>), StoreError> {
    let mut params = Params::default();
    let rule = rule(Dialect::Postgres, subject, text, &mut params);
    // Each row visited tested cheaply first: where the server walks an
    // index for a frequent search's first hits, the rule's `translate`
    // alone cost it 120 ms for "mar"'s first 895 among 100,000 users, each
    // of the 13,562 entries it visited translated twice.
    let rule = super::cheap_first((subject, text), &rule, &mut params);
    let (table, row) = subject.table();
    let key = page.map(|page| format!(", {}", page.column));
    // Planned for every hit up to the cap, then read only as far as
    // `most`: planned for fewer, the server walked a sort's index for
    // them, as it expects them soon, testing each entry by the rule, whose
    // `translate` costs it far more than it thinks ("ann" up to 509 of its
    // 3,035 hits among 100,000 users: 115 ms, now 6). Even so it may walk
    // one for a frequent search, which `cheap_first` above spares.
    // (The read's own limit is bound: one statement for any.)
    let read = params.limit(Dialect::Postgres, most.min(COUNT_CAP + 1));
    let statement = format!(
        "WITH hits AS MATERIALIZED (SELECT {row}.id{} FROM {table} {row} WHERE {rule} \
         LIMIT {}) SELECT * FROM hits LIMIT {read}",
        key.unwrap_or_default(),
        COUNT_CAP + 1,
    );
    let found = sql.query(&statement, &params.0).await?;
    ids_and_keys(&found, page.map(|page| page.text))
}

/// The ids of `found` hits (the first column), each with its key in a
/// sort (the second) where one was read (`key`: whether it is text).
fn ids_and_keys(
    found: &[SqlRow],
    key: Option<bool>,
) -> Result<(Vec<i64>, Vec<SortKey>), StoreError> {
    let mut ids = Vec::with_capacity(found.len());
    let mut keys = Vec::new();
    for hit in found {
        ids.push(hit.int(0)?);
        match key {
            Some(true) => keys.push(SortKey::Text(hit.text(1)?)),
            Some(false) => keys.push(SortKey::Integer(hit.int(1)?)),
            None => {}
        }
    }
    Ok((ids, keys))
}

/// The share of a short walk's entries that a walk of the creation order
/// reads as a sample of a search's hits ([`sample_size`]).
const SAMPLE_PART: u64 = 5;

/// The entries of the creation order a sample of a search's hits reads
/// for a page of `wanted` among `rows` ([`quick_plan`], and of its other
/// hits, [`others_sampled`]): a fifth of a short walk's, about 1,000 at a
/// million, 0.4 ms.
fn sample_size(wanted: u64, rows: u64) -> u64 {
    (wanted.saturating_mul(rows) / COUNT_CAP / SAMPLE_PART).max(wanted)
}

/// The other hits a sample judges too many for a split to read them
/// ([`others_sampled`]): twice those it reads, so that one of about as
/// many is rarely judged so (five in a sample of 1,000 at a million,
/// where two are expected at [`SPLIT_OTHERS`]); a page so judged is
/// walked to, else the crowd's read finds it.
const SAMPLED_OTHERS: u64 = 2 * SPLIT_OTHERS;

/// The most rows [`crowd`] reads from either range of the two text keys'
/// indexes (each entry about 0.3 µs, and its key handed over): past it
/// the hits are many ("mar" by email at a million users: 95,000), and the
/// page is walked to ([`walk::walk_further`], else by the server); a
/// filtered page's hits are not read and sorted.
const CROWD_MOST: u64 = 5 * COUNT_CAP;

/// Every hit of a search whose keys in a text sort (`key`) mostly start
/// with it, each with its key (a page picks its own from them,
/// [`super::Planned::page`]), read where the indexes hold them: the keys
/// that start with it from the sort's index, the rows whose other text
/// key starts with it (and not this one) from that key's index, which
/// holds this one too (V17, V18: neither reads a row), and the rest, which hold
/// it past their first character, through the trigram indexes of their
/// tails ([`others_conditions`]), each row read. A row in the last two is
/// kept once. `None` where a range holds more than [`CROWD_MOST`] or the
/// rest more than the count's cap: a search that common inside the keys
/// is read otherwise.
async fn crowd<S: Sql + ?Sized>(
    sql: &mut S,
    (subject, text): (Subject<'_>, &str),
    key: &str,
) -> Result<Option<Planned>, StoreError> {
    let mut params = Params::default();
    let (tails, starts) = others_conditions(subject, text, key, &mut params);
    let range = super::starts_key(key, text, &mut params);
    let (table, row) = subject.table();
    let part = |n: u8, condition: &str, most: u64| {
        format!(
            "(SELECT {row}.id, {key}, {n}::int8 FROM {table} {row} WHERE {condition} LIMIT {most})"
        )
    };
    let statement = [
        part(0, &range, CROWD_MOST + 1),
        part(1, &starts, CROWD_MOST + 1),
        part(2, &tails, COUNT_CAP + 1),
    ]
    .join(" UNION ALL ");
    let mut hits: Vec<(i64, String)> = Vec::new();
    let mut read = [0u64; 3];
    for hit in sql.query(&statement, &params.0).await? {
        let n = usize::try_from(hit.int(2)?).unwrap_or_default().min(2);
        read[n] += 1;
        hits.push((hit.int(0)?, hit.text(1)?));
    }
    if read[0] > CROWD_MOST || read[1] > CROWD_MOST || read[2] > COUNT_CAP {
        return Ok(None);
    }
    hits.sort_unstable_by_key(|&(id, _)| id);
    hits.dedup_by_key(|&mut (id, _)| id);
    let (ids, keys): (Vec<i64>, Vec<SortKey>) = hits
        .into_iter()
        .map(|(id, key)| (id, SortKey::Text(key)))
        .unzip();
    Ok(Some(Planned::every_hit(ids, keys)))
}

/// The most hits of a search among `rows` that a page of it alone reads
/// by their ids (about 2.5 µs each with the look-up of its row, at a
/// million clients from the server's cache): past it a walk of the sort's
/// index (0.4 µs an entry, V18, 51 × rows / hits entries) costs less. The
/// two cost the same at √(8 × rows) hits: 2,828 at a million, each way
/// about 7 ms.
fn quick_limit(rows: u64) -> u64 {
    limit_of(8.0, (rows, rows))
}

/// The most hits of a search among `rows` (of whom the other filters leave
/// at most `within`) that PostgreSQL reads by their ids and sorts, about 7
/// µs each with the look-up of its row (measured at a million clients,
/// from the OS's cache); a walk of the sort's index reads each row too, 51
/// × rows / hits of them for evenly spread hits. The two cost the same at
/// √(51 × rows) hits: √(50 × rows), 7,071 at a million.
fn postgres_limit(rows: (u64, u64)) -> u64 {
    limit_of(50.0, rows)
}

#[cfg(test)]
mod tests {
    use super::super::sorted_by;
    use super::super::tests::users_parts;
    use super::*;
    use crate::store::sql;
    use crate::store::SortField;

    #[test]
    fn postgres_reads_a_rare_search_by_its_ids_and_sorts_them_through_an_expression() {
        assert_eq!(postgres_limit((1_000_000, 1_000_000)), 7_071);
        assert_eq!(postgres_limit((1_000_000, 100_000)), COUNT_CAP);
        assert_eq!(postgres_limit((14_270, 14_270)), 844);
        let mut params = Params::default();
        let by_name = (Dialect::Postgres, SortField::Name);
        let hits = users_parts(by_name, "dubois", (Reading::Hits, &[3, 5]), &mut params);
        assert_eq!(hits, vec!["u.id = ANY($1)".to_owned()]);
        assert_eq!(params.0, vec![sql::Value::Ints(vec![3, 5])]);
        let hits = Some(Reading::Hits);
        assert_eq!(sorted_by("u.name_key", hits, true), "(u.name_key || '')");
        assert_eq!(sorted_by("c.created_at", hits, false), "(c.created_at + 0)");
        assert_eq!(
            sorted_by("u.name_key", Some(Reading::Index), true),
            "u.name_key"
        );
        assert_eq!(sorted_by("c.created_at", None, false), "c.created_at");
        assert_eq!(
            sorted_by("u.email_normalized", Some(Reading::Sorted), true),
            "(u.email_normalized || '')"
        );
        assert!(!Reading::Sorted.exact(Dialect::Postgres));
    }

    #[test]
    fn a_walk_tests_the_rule_through_functions_no_trigram_index_serves() {
        let mut params = Params::default();
        let phone = Subject::Clients {
            digits: Some("02079"),
        };
        assert_eq!(
            walk_rule(phone, "020 79", &mut params).as_deref(),
            Some(
                "(strpos(c.name_key, $1) > 0 OR strpos(c.email_normalized, $1) > 0 \
                 OR strpos(c.phone, $2) > 0)"
            )
        );
        assert_eq!(
            params.0,
            vec![
                sql::Value::Text("020 79".into()),
                sql::Value::Text("02079".into())
            ]
        );
        // A pattern's characters are the text's own: no escape.
        let mut params = Params::default();
        assert_eq!(
            walk_rule(Subject::Users, "50%_", &mut params).as_deref(),
            Some("(strpos(u.name_key, $1) > 0 OR strpos(u.email_normalized, $1) > 0)")
        );
        assert_eq!(params.0, vec![sql::Value::Text("50%_".into())]);
        let mut params = Params::default();
        assert_eq!(
            walk_rule(Subject::Users, "li", &mut params).as_deref(),
            Some("(starts_with(u.words, $1) OR strpos(u.words, $2) > 0)")
        );
        assert_eq!(
            params.0,
            vec![
                sql::Value::Text("li".into()),
                sql::Value::Text(" li".into())
            ]
        );
        // Ranges are not walked: a short search with punctuation, a
        // client's short phone digits.
        assert_eq!(walk_rule(Subject::Users, "o'", &mut params), None);
        let short_phone = Subject::Clients { digits: Some("44") };
        assert_eq!(walk_rule(short_phone, "44", &mut params), None);
        assert_eq!(quick_limit(1_000_000), 2_828);
    }
}
