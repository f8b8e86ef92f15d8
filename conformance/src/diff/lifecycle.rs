//! Starting and stopping the peers: every process h1spec starts is its own process group on
//! 127.0.0.1, is checked to answer before the run, and is stopped (SIGTERM, then SIGKILL)
//! when its guard drops, when the run ends, and when h1spec is interrupted.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// Process groups started and not yet stopped.
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// Temporary folders not yet removed (an interrupt exits without running destructors).
static FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn signal_group(pgid: u32, signal: &str) {
    // `kill` with a negative pid signals the whole group (nginx and apache fork workers).
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Stops every process group still running: SIGTERM, a grace of up to `grace`, then SIGKILL.
pub fn stop_all(grace: Duration) {
    let groups: Vec<u32> = std::mem::take(&mut *RUNNING.lock().unwrap_or_else(|e| e.into_inner()));
    for &g in &groups {
        signal_group(g, "-TERM");
    }
    let until = Instant::now() + grace;
    while Instant::now() < until && groups.iter().any(|&g| group_alive(g)) {
        std::thread::sleep(Duration::from_millis(20));
    }
    for &g in &groups {
        if group_alive(g) {
            signal_group(g, "-KILL");
        }
    }
}

fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-0", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs (once) a handler for SIGINT, SIGTERM and SIGHUP that stops every peer, removes
/// the temporary folders and exits with status 130.
pub fn stop_all_on_interrupt() {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            stop_all(Duration::from_millis(500));
            for dir in std::mem::take(&mut *FOLDERS.lock().unwrap_or_else(|e| e.into_inner())) {
                let _ = std::fs::remove_dir_all(dir);
            }
            std::process::exit(130);
        });
    });
}

/// Adds a process group to those stopped at the end and on interrupt.
pub(crate) fn track(pgid: u32) {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(pgid);
}

/// Removes a process group that was stopped.
pub(crate) fn untrack(pgid: u32) {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).retain(|&g| g != pgid);
}

/// A started peer process; dropping it stops its whole process group.
#[derive(Debug)]
pub struct Process {
    child: Child,
    name: String,
}

impl Process {
    /// Starts `command` in a process group of its own, output to `log` (or nowhere).
    ///
    /// # Errors
    ///
    /// The program could not be started.
    pub fn start(name: &str, command: &mut Command, log: Option<&Path>) -> Result<Process, String> {
        let (out, err) = match log {
            Some(path) => {
                let f = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
                let g = f.try_clone().map_err(|e| e.to_string())?;
                (Stdio::from(f), Stdio::from(g))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({:?}): {e}", command.get_program()))?;
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(child.id());
        Ok(Process { child, name: name.to_owned() })
    }

    /// Waits until `addr` accepts connections (at most `within`).
    ///
    /// # Errors
    ///
    /// The process exited, or nothing listened in time.
    pub fn wait_listening(&mut self, addr: SocketAddr, within: Duration) -> Result<(), String> {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited ({status}) before listening on {addr}", self.name));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{} did not listen on {addr} within {} s", self.name, within.as_secs()))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let pgid = self.child.id();
        signal_group(pgid, "-TERM");
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until && !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(20));
        }
        signal_group(pgid, "-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).retain(|&g| g != pgid);
    }
}

/// A free port on 127.0.0.1 (the listener is closed at once; the peer binds it next).
///
/// # Errors
///
/// No port could be bound.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// A fresh temporary directory under the system's, removed by [`TempDir`]'s drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `h1spec-diff-<name>-<pid>-<n>`, with every character of `name` but ASCII letters,
    /// digits and `-` written `-` (configs use the path unquoted: `nginx → go-server` would break
    /// them).
    ///
    /// # Errors
    ///
    /// It could not be created.
    pub fn new(name: &str) -> Result<TempDir, String> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
        let dir = std::env::temp_dir().join(format!("h1spec-diff-{name}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        FOLDERS.lock().unwrap_or_else(|e| e.into_inner()).push(dir.clone());
        Ok(TempDir(dir))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        FOLDERS.lock().unwrap_or_else(|e| e.into_inner()).retain(|d| *d != self.0);
    }
}

/// Whether `program` is on the PATH.
pub fn installed(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
