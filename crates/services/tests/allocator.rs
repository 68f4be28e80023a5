//! glibc's arenas capped at one per core (`allocator::cap_arenas`): threads that
//! allocate at the same time share them instead of taking one each. Its own test
//! binary, so that no other test's threads took arenas before the cap.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

use std::sync::{Arc, Barrier};

/// How many arenas glibc has, from its own report (`malloc_info`).
fn arenas() -> usize {
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    let path = std::ffi::CString::new(file.path().to_str().expect("a UTF-8 path")).expect("no NUL");
    // SAFETY: the path and mode are NUL-terminated strings that outlive the
    // calls; the stream is checked, written by glibc and closed once.
    #[allow(unsafe_code)]
    unsafe {
        let stream = libc::fopen(path.as_ptr(), c"w".as_ptr());
        assert!(!stream.is_null(), "the report's file opens");
        assert_eq!(libc::malloc_info(0, stream), 0, "glibc reports its arenas");
        libc::fclose(stream);
    }
    let report = std::fs::read_to_string(file.path()).expect("the report");
    report.matches("<heap nr=").count()
}

#[test]
fn threads_that_allocate_at_once_share_one_arena_per_core() {
    assert!(sponsorhub_services::allocator::cap_arenas(), "glibc takes the cap");
    let cap = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    // four threads a core, each allocating while all the others hold their blocks
    let threads = cap * 4;
    let all_in = Arc::new(Barrier::new(threads + 1));
    let done = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (all_in, done) = (all_in.clone(), done.clone());
            std::thread::spawn(move || {
                let blocks: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 4096]).collect();
                all_in.wait();
                done.wait();
                drop(blocks);
            })
        })
        .collect();
    all_in.wait();
    let seen = arenas();
    done.wait();
    for h in handles {
        h.join().expect("a thread");
    }
    assert!(seen <= cap, "{seen} arenas for {threads} threads on {cap} cores");
}
