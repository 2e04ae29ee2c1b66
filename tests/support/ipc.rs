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
