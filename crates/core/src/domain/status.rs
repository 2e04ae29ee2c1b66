//! A user's status and their second factor.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Enabled,
    Disabled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
        }
    }
}

impl FromStr for Status {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "enabled" => Ok(Status::Enabled),
            "disabled" => Ok(Status::Disabled),
            _ => Err(Error::InvalidChoice {
                field: "status",
                reason: format!("“{s}” is not a status; use enabled or disabled."),
            }),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a user proves it is them after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactor {
    #[default]
    Off,
    /// A one-time code sent by email (needs a mail server).
    EmailCode,
    /// An authenticator app (TOTP, RFC 6238).
    Totp,
}

impl TwoFactor {
    pub fn as_str(self) -> &'static str {
        match self {
            TwoFactor::Off => "off",
            TwoFactor::EmailCode => "email_code",
            TwoFactor::Totp => "totp",
        }
    }
}

impl FromStr for TwoFactor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "off" | "none" => Ok(TwoFactor::Off),
            "email_code" | "email" => Ok(TwoFactor::EmailCode),
            "totp" | "app" | "authenticator" => Ok(TwoFactor::Totp),
            _ => Err(Error::InvalidChoice {
                field: "two_factor",
                reason: format!("“{s}” is not a two-factor method; use off, email_code or totp."),
            }),
        }
    }
}

impl fmt::Display for TwoFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
