//! The desktop's commands through Tauri's own IPC on the mock runtime, with
//! the app's real configuration and capability: what the web view sees,
//! without a window. Shared by `tests/commands.rs` and `tests/rights.rs`.

use std::cell::RefCell;

use roster_desktop::state::AppState;
use serde_json::{json, Value};
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
    /// Unused recovery codes of those who set up their authenticator app
    /// here: (email, code).
    recovery_codes: RefCell<Vec<(String, String)>>,
}

#[allow(dead_code)]
impl Desktop {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = AppState::open_at(dir.path().join("roster.sqlite3"));
        let (app, webview) = mock_app(state);
        Self {
            webview,
            app,
            dir,
            recovery_codes: RefCell::new(Vec::new()),
        }
    }

    /// The app over a state a test prepared itself.
    pub fn with_state(state: AppState, dir: tempfile::TempDir) -> Self {
        let (app, webview) = mock_app(state);
        Self {
            webview,
            app,
            dir,
            recovery_codes: RefCell::new(Vec::new()),
        }
    }

    /// The first run as the web view goes through it: the administrator
    /// form, then setting up their authenticator app with a code computed
    /// from the shown key. Returns their `Me`; their recovery codes are kept
    /// for [`Desktop::sign_in`].
    pub fn first_run(&self, name: &str, email: &str, password: &str) -> Value {
        let started = self.ok(
            "initialize",
            json!({"name": name, "email": email, "password": password}),
        );
        assert_eq!(started["stage"], "totp_enrolment", "{started}");
        assert_eq!(
            started["me"],
            Value::Null,
            "signed in before the second factor"
        );
        let enrolment = self.ok("begin_totp_enrolment", json!({}));
        let secret = enrolment["secret"].as_str().expect("the manual key");
        let done = self.ok(
            "finish_totp_enrolment",
            json!({"code": authenticator_code(secret)}),
        );
        let codes = done["recovery_codes"].as_array().expect("recovery codes");
        self.recovery_codes.borrow_mut().extend(
            codes
                .iter()
                .filter_map(Value::as_str)
                .map(|code| (email.to_owned(), code.to_owned())),
        );
        done["me"].clone()
    }

    /// An unused recovery code of `email`'s, kept by [`Desktop::first_run`]
    /// (an authenticator code works once per 30 seconds; these never clash).
    pub fn recovery_code(&self, email: &str) -> String {
        let mut codes = self.recovery_codes.borrow_mut();
        let at = codes
            .iter()
            .position(|(owner, _)| owner == email)
            .unwrap_or_else(|| panic!("no recovery code left for {email}"));
        codes.remove(at).1
    }

    /// Signs in with a password and, when a second factor is owed, `code`;
    /// returns the final `{stage: "signed_in", me}`.
    pub fn sign_in_with_code(&self, email: &str, password: &str, code: &str) -> Value {
        let first = self.ok("sign_in", json!({"email": email, "password": password}));
        if first["stage"] == "signed_in" {
            return first;
        }
        assert_eq!(first["stage"], "second_factor", "{first}");
        self.ok("verify_second_factor", json!({"code": code}))
    }

    /// Signs in as the web view would; a second factor owed is answered
    /// with a recovery code kept by [`Desktop::first_run`].
    pub fn sign_in(&self, email: &str, password: &str) -> Value {
        let first = self.ok("sign_in", json!({"email": email, "password": password}));
        if first["stage"] != "second_factor" {
            return first;
        }
        self.ok(
            "verify_second_factor",
            json!({"code": self.recovery_code(email)}),
        )
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

/// The code an authenticator app shows now for `secret`.
#[allow(dead_code)]
pub fn authenticator_code(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    roster_core::two_factor::current_code(secret, now).expect("a valid secret")
}
