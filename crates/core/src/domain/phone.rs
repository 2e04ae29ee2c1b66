//! Where a client is reached: their country (ISO 3166-1 alpha-2) and phone
//! number (E.164).

use std::fmt;

use crate::error::Error;

/// A country or region: an ISO 3166-1 alpha-2 code that libphonenumber
/// knows (it numbers every country), kept in upper case: `GB`, `DE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(phonenumber::country::Id);

impl Country {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let code = input.trim().to_ascii_uppercase();
        let invalid = || Error::InvalidCountry {
            reason: format!(
                "“{}” is not a country code; use the two letters of ISO 3166-1, such as GB or DE.",
                input.trim()
            ),
        };
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        code.parse::<phonenumber::country::Id>()
            .map(Self)
            .map_err(|_| invalid())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    pub(crate) fn id(&self) -> phonenumber::country::Id {
        self.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A phone number, checked against libphonenumber's numbering plans and
/// kept in E.164 (`+442079460958`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts international input (`+44 20 7946 0958`) and, when `country`
    /// is given, national input (`020 7946 0958` with GB) and that country's
    /// international prefix (`0044…`). The number must be one its country's
    /// numbering plan allocates (libphonenumber's `is_valid`).
    pub fn parse(input: &str, country: Option<Country>) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidPhone {
                reason: "Enter a phone number.".into(),
            });
        }
        if trimmed.chars().count() > 40 {
            return Err(Error::InvalidPhone {
                reason: "A phone number can have at most 40 characters.".into(),
            });
        }
        let number = phonenumber::parse(country.map(|c| c.id()), trimmed).map_err(|_| {
            Error::InvalidPhone {
                reason: if country.is_none() && !trimmed.starts_with('+') {
                    "Enter the number with its country code (as in +44 20 7946 0958), or choose the client's country first.".into()
                } else {
                    format!("“{trimmed}” is not a phone number.")
                },
            }
        })?;
        if !phonenumber::is_valid(&number) {
            return Err(Error::InvalidPhone {
                reason: format!("“{trimmed}” is not a valid phone number for its country."),
            });
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    pub fn from_stored(e164: String) -> Self {
        Self(e164)
    }

    /// E.164: `+442079460958`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The international format for people: `+44 20 7946 0958`.
    pub fn display(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(number) => number
                .format()
                .mode(phonenumber::Mode::International)
                .to_string(),
            Err(_) => self.0.clone(),
        }
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.0)
    }
}
