//! Issue #13 cases outside HTTP hardening and extraction limits: a second
//! server on one index, a damaged index, a documents folder replaced under a
//! running server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use tietopankki::server::{self, ServeConfig};
use tietopankki::{Error, KnowledgeBank};

use crate::common::TempBank;

/// `GET target` with `Connection: close`; the JSON body.
fn get_json(addr: SocketAddr, target: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no body: {text}"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn config(tb: &TempBank) -> ServeConfig {
    ServeConfig { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..ServeConfig::new(tb.docs.path(), tb.index.path()) }
}

/// Waits up to 10 s for `condition`.
fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn a_second_server_on_one_index_stops_with_a_clear_error() {
    let tb = TempBank::new();
    tb.write("a.md", "# A\n\nAlpha.");
    let first = server::start(config(&tb)).expect("the first server starts");
    match server::start(config(&tb)) {
        Err(err @ Error::AlreadyServing { .. }) => {
            let message = err.to_string();
            assert!(message.contains("already running") && message.contains("--index"), "{message}");
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("two servers run on one index"),
    }
    first.shutdown();
    // The lock goes with the server.
    let again = server::start(config(&tb)).expect("a server starts once the first has stopped");
    again.shutdown();
}

#[test]
fn a_damaged_index_is_reported_with_how_to_rebuild_it() {
    let tb = TempBank::new();
    tb.write("a.md", "# A\n\nAlpha.");
    tb.open().sync().unwrap();
    // Every segment file cut to a few bytes, as after a disk fault.
    let mut damaged = 0;
    for entry in std::fs::read_dir(tb.index.path()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".term") || name.ends_with(".idx") || name.ends_with(".store") {
            std::fs::write(entry.path(), b"oops").unwrap();
            damaged += 1;
        }
    }
    assert!(damaged > 0);
    let err = match KnowledgeBank::builder().documents_dir(tb.docs.path()).index_dir(tb.index.path()).open() {
        Err(err) => err,
        Ok(_) => panic!("a damaged index opened"),
    };
    assert!(matches!(err, Error::CorruptIndex { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("cannot be read") && message.contains("delete the folder"), "{message}");

    // The CLI says the same in one line, with a non-zero exit code.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .args(["search", "--index"])
        .arg(tb.index.path())
        .arg("alpha")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.trim().lines().last().unwrap_or_default();
    assert!(last.starts_with("tietopankki: the index at"), "{stderr}");
    assert!(last.contains("cannot be read") && last.contains("tietopankki index"), "{stderr}");

    // A garbled meta.json, too.
    std::fs::write(tb.index.path().join("meta.json"), b"{ not json").unwrap();
    let err = KnowledgeBank::builder().documents_dir(tb.docs.path()).index_dir(tb.index.path()).open().err();
    assert!(matches!(err, Some(Error::CorruptIndex { .. })), "{err:?}");
}

#[cfg(feature = "watch")]
#[test]
fn a_replaced_documents_folder_is_watched_again_and_status_says_so() {
    let parent = crate::common::tempdir();
    let docs = parent.path().join("documents");
    let index = crate::common::tempdir();
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("a.md"), "# A\n\nAlpha.").unwrap();
    let config =
        ServeConfig { addr: "127.0.0.1:0".to_string(), rescan_secs: 0, ..ServeConfig::new(&docs, index.path()) };
    let server = server::start(config).expect("server");
    let addr = server.addr();
    assert_eq!(get_json(addr, "/api/status")["watching"], true);

    // `rm -rf documents`: status says it is not watching.
    std::fs::remove_dir_all(&docs).unwrap();
    assert!(eventually(|| get_json(addr, "/api/status")["watching"] == false), "status still says watching");

    // `mkdir documents` and a new file: watched again, and the file is
    // found without a periodic re-scan (there is none in this server).
    std::fs::create_dir(&docs).unwrap();
    assert!(eventually(|| get_json(addr, "/api/status")["watching"] == true), "the new folder is not watched");
    std::fs::write(docs.join("b.md"), "# B\n\nBicycles in the new folder.").unwrap();
    assert!(
        eventually(|| get_json(addr, "/api/search?q=bicycles")["total"] == 1),
        "a file in the recreated folder was not indexed"
    );
    let status = get_json(addr, "/api/status");
    assert_eq!(status["documents"], 1, "the old folder's document is gone: {status}");
    server.shutdown();
}
