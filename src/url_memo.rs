//! The last URL parsed on this thread, kept while the same text comes again: a suite's
//! files and tests mostly share one `base_url`, and parsing its host again every time
//! was a visible part of loading spec files (`spec`) and of building requests (`http`).

use std::cell::RefCell;

use url::Url;

thread_local! {
    static LAST: RefCell<Option<(String, Url)>> = const { RefCell::new(None) };
}

/// `f` applied to `text` parsed as a URL, parsed only when this thread's last call had
/// other text. `f` must not call `with_parsed` itself.
pub fn with_parsed<R>(text: &str, f: impl FnOnce(&Url) -> R) -> Result<R, url::ParseError> {
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some((seen, url)) if seen == text => Ok(f(url)),
            _ => {
                let url = Url::parse(text)?;
                let out = f(&url);
                *last = Some((text.to_string(), url));
                Ok(out)
            }
        }
    })
}
