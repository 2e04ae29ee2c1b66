//! The desktop's commands through Tauri's own IPC on the mock runtime, with
//! the app's real configuration and capability: what the web view sees,
//! without a window. Shared by `tests/commands.rs` and `tests/rights.rs`.

use roster_desktop::state::AppState;
use serde_json::Value;
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// The app with its commands over `state`, and its main window.
pub fn mock_app(state: AppState) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = roster_desktop::with_commands(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("build the app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    (app, webview)
}

/// Invokes `command` as the web view would; Ok is the result, Err the
/// `{code, message, field}` the UI receives.
pub fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: command.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("JSON result"))
}

/// The app over a fresh local store in a temporary folder, as the web view
/// sees it. Fields drop in order: the window, the app, then the folder.
#[allow(dead_code)]
pub struct Desktop {
    pub webview: WebviewWindow<MockRuntime>,
    pub app: App<MockRuntime>,
    pub dir: tempfile::TempDir,
}

#[allow(dead_code)]
impl Desktop {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = AppState::open_at(dir.path().join("roster.sqlite3"));
        let (app, webview) = mock_app(state);
        Self { webview, app, dir }
    }

    /// Invokes `command` as the web view would; Ok is the result, Err the
    /// `{code, message, field}` the UI receives.
    pub fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        invoke(&self.webview, command, args)
    }

    pub fn ok(&self, command: &str, args: Value) -> Value {
        self.call(command, args)
            .unwrap_or_else(|error| panic!("{command} failed: {error}"))
    }

    /// The error of a call that must fail.
    pub fn refused(&self, command: &str, args: Value) -> Value {
        match self.call(command, args) {
            Ok(value) => panic!("{command} succeeded with {value}"),
            Err(error) => error,
        }
    }

    /// The error code of a call that must fail.
    pub fn code_of(&self, command: &str, args: Value) -> String {
        self.refused(command, args)["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}
