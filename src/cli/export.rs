//! `tietopankki export`: the bank as Elasticsearch/OpenSearch `_bulk`
//! NDJSON, its index template and example query, or pushed to a cluster.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tietopankki::export::{bulk, template, ExportOptions};
use tietopankki::KnowledgeBank;

/// Arguments of `export`.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// Where the index is kept (run `tietopankki index` first: the export
    /// is what the index holds).
    #[arg(long, default_value = tietopankki::DEFAULT_INDEX_DIR, value_name = "DIR")]
    pub index: PathBuf,
    /// The Elasticsearch/OpenSearch index the records go to (`_index` of each action).
    #[arg(long, required = true, value_name = "NAME")]
    pub index_name: String,
    /// Write the NDJSON to this file instead of stdout.
    #[arg(long, short, value_name = "FILE", conflicts_with = "to")]
    pub out: Option<PathBuf>,
    /// One record per PDF page (id `path#pN`, with `page`), so a hit points to its page.
    #[arg(long)]
    pub per_page: bool,
    /// The title as {fi, sv, en} with the document's language filled (the
    /// City of Helsinki's unified-search shape).
    #[arg(long)]
    pub city_shape: bool,
    /// Base URL of the documents: each record gets `url` = this + its path.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print the index template (settings and mappings, for `PUT
    /// _index_template/NAME`) instead of the records.
    #[arg(long, conflicts_with_all = ["to", "out", "example_query"])]
    pub template: bool,
    /// Print an example search (query DSL for `POST NAME/_search`) for
    /// these words, with tietopankki's analysis keys filled in.
    #[arg(long, value_name = "WORDS", conflicts_with_all = ["to", "out"])]
    pub example_query: Option<String>,
    /// Post the records to this cluster (`https://host:9200`) with `_bulk`
    /// requests, incrementally: only changed documents, and deletes for removed ones.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// API key for --to (sent as `Authorization: ApiKey KEY`).
    #[arg(
        long,
        env = "TIETOPANKKI_EXPORT_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        conflicts_with = "user"
    )]
    pub api_key: Option<String>,
    /// User and password for --to, as USER:PASSWORD (HTTP basic authentication).
    #[arg(long, env = "TIETOPANKKI_EXPORT_USER", hide_env_values = true, value_name = "USER:PASSWORD")]
    pub user: Option<String>,
    /// Send credentials over plain http:// to a host other than this machine.
    #[arg(long)]
    pub allow_insecure: bool,
    /// About how many megabytes each `_bulk` request carries.
    #[arg(long, default_value_t = 5.0, value_name = "MB")]
    pub batch_mb: f64,
    /// First retry delay in milliseconds (doubles with each retry).
    #[arg(long, env = "TIETOPANKKI_EXPORT_RETRY_MS", default_value_t = 500, hide = true)]
    pub retry_ms: u64,
    /// Print the push report as JSON.
    #[arg(long, requires = "to")]
    pub json: bool,
}

/// Runs `export`.
pub fn run(args: ExportArgs) -> Result<ExitCode, String> {
    let options =
        ExportOptions { per_page: args.per_page, city_shape: args.city_shape, base_url: args.base_url.clone() };
    if args.template {
        let body = template::index_template(&args.index_name, args.city_shape);
        return print_json(&body);
    }
    if let Some(words) = &args.example_query {
        return print_json(&template::example_query(words, None, args.city_shape));
    }
    if !args.index.join("meta.json").exists() {
        return Err(format!("no index at {} (run `tietopankki index` first)", args.index.display()));
    }
    let bank = KnowledgeBank::builder().index_dir(&args.index).open().map_err(|e| e.to_string())?;
    if args.to.is_some() {
        return push(&bank, &options, &args);
    }
    let write = |out: &mut dyn Write| -> std::io::Result<usize> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let mut count = 0;
        for record in bank.export_records(&options).map_err(std::io::Error::other)? {
            bulk::write_index(&mut out, &args.index_name, &record.map_err(std::io::Error::other)?)?;
            count += 1;
        }
        out.flush()?;
        Ok(count)
    };
    let written = match &args.out {
        Some(path) => {
            let mut file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            write(&mut file).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => match write(&mut std::io::stdout().lock()) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            Err(e) => return Err(e.to_string()),
        },
    };
    if let Some(path) = &args.out {
        eprintln!("{written} records written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_json(value: &serde_json::Value) -> Result<ExitCode, String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "export-push")]
fn push(bank: &KnowledgeBank, options: &ExportOptions, args: &ExportArgs) -> Result<ExitCode, String> {
    use tietopankki::export::push::{Auth, PushOptions};
    let url = args.to.clone().unwrap_or_default();
    let mut push = PushOptions::new(url, &args.index_name);
    push.allow_insecure = args.allow_insecure;
    push.backoff = std::time::Duration::from_millis(args.retry_ms);
    if !(args.batch_mb > 0.0 && args.batch_mb <= 1024.0) {
        return Err("--batch-mb must be more than 0 and at most 1024".to_string());
    }
    push.batch_bytes = (args.batch_mb * 1024.0 * 1024.0) as usize;
    push.auth = match (&args.api_key, &args.user) {
        (Some(key), _) => Some(Auth::ApiKey(key.clone())),
        (None, Some(user)) => {
            let (user, password) = user.split_once(':').ok_or("--user must be USER:PASSWORD")?;
            Some(Auth::Basic { user: user.to_string(), password: password.to_string() })
        }
        (None, None) => None,
    };
    let report = tietopankki::export::push::push(bank, options, &push).map_err(|e| e.to_string())?;
    if args.json {
        println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
    } else {
        for rejected in &report.rejected {
            eprintln!("rejected {} (HTTP {}): {}", rejected.id, rejected.status, rejected.reason);
        }
        println!(
            "{} indexed, {} deleted, {} unchanged, {} rejected ({} requests, {} retries)",
            report.indexed,
            report.deleted,
            report.unchanged,
            report.rejected.len(),
            report.requests,
            report.retries
        );
    }
    Ok(if report.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(super::exit::FILES_FAILED) })
}

#[cfg(not(feature = "export-push"))]
fn push(_bank: &KnowledgeBank, _options: &ExportOptions, _args: &ExportArgs) -> Result<ExitCode, String> {
    Err("this tietopankki was built without the export-push feature: write the NDJSON with --out and post it".into())
}
