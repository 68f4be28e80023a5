//! glibc's allocator settings, the one place the process sets them
//! (docs/DECISIONS.md, "Unsafe code"). Elsewhere (musl, other systems) these do
//! nothing.

/// The size from which glibc's allocator maps a block of its own, returned to
/// the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAP_FROM: std::ffi::c_int = 4 << 20;

/// Sets one of glibc's allocator parameters; false if it refused.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> bool {
    // SAFETY: mallopt sets one of glibc's allocator parameters under the
    // allocator's own lock; it takes no pointers and may be called at any time.
    #[allow(unsafe_code)]
    let set = unsafe { libc::mallopt(param, value) };
    set == 1
}

/// Makes the ~19 MiB block of each password hash go back to the system when the
/// hash ends. glibc maps large blocks, but raises that size to the largest one
/// freed, so after the first hash the blocks came from the threads' arenas and
/// stayed there, as many as scheduling happened to spread over arenas (resident
/// memory grew by 70 to 170 MB after a burst of sign-ups). A size set once
/// stays.
pub(crate) fn map_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM) {
        tracing::warn!("the allocator refused a fixed mapping threshold; hashes may keep memory");
    }
}

/// Caps glibc's arenas at one per core (at least two), where it allows eight
/// per core: each
/// thread that allocates takes an arena of its own up to that cap, and what a
/// burst frees in one (ten thousand sockets connecting at once, their joins'
/// reads on the database's threads) stays there as holes the other threads
/// cannot use. With one per core a socket costs about 3 KB less
/// (docs/PERFORMANCE.md, "Memory per socket"); captures per second did not
/// change. Called once by the binary before its runtime starts any thread,
/// and so before logging is set up: false if glibc refused, for the binary
/// to log once it can.
pub fn cap_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        let cap = std::ffi::c_int::try_from(cores).unwrap_or(std::ffi::c_int::MAX);
        mallopt(libc::M_ARENA_MAX, cap)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    true
}
