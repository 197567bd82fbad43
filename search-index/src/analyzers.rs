//! Analyzers beyond Tantivy's defaults. Matching happens on two layers: folded text (see
//! `fold`: Latin and Cyrillic, apostrophe and diacritic variants meet) and stemmed text
//! (English and Russian Snowball stemmers over the text as written). Uzbek and Azerbaijani
//! have no Snowball stemmer; for them folding and typo tolerance do the work.

use std::collections::HashMap;

use frostem::{Algorithm, Stemmer};
use tantivy::Index;
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

use crate::fields::STEMMED_ANALYZER;
use crate::fold::fold;

/// The stemming analyzer: words, lower-cased, then stemmed by the stemmer of their script.
fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(ScriptStemmer)
        .build()
}

/// Stems a word with the English Snowball stemmer if it is written in ASCII letters and with
/// the Russian one if it has Cyrillic letters; other words (Uzbek and Azerbaijani Latin with
/// their own letters, digits) pass unchanged. One field thus serves every language, and each
/// word costs one stemmer, not two.
#[derive(Clone, Copy)]
struct ScriptStemmer;

impl TokenFilter for ScriptStemmer {
    type Tokenizer<T: Tokenizer> = ScriptStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ScriptStemmerFilter<T> {
        ScriptStemmerFilter {
            inner: tokenizer,
            cache: HashMap::new(),
        }
    }
}

/// Words whose stems an indexing thread remembers: word frequencies are skewed, so most
/// words are stemmed once per thread (a lookup costs a fraction of a Snowball run).
const CACHE_WORDS: usize = 100_000;

#[derive(Clone)]
struct ScriptStemmerFilter<T> {
    inner: T,
    cache: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for ScriptStemmerFilter<T> {
    type TokenStream<'a> = ScriptStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.cache.len() > CACHE_WORDS {
            self.cache.clear();
        }
        ScriptStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            english: Stemmer::new(Algorithm::English),
            russian: Stemmer::new(Algorithm::Russian),
        }
    }
}

struct ScriptStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut HashMap<String, String>,
    english: Stemmer,
    russian: Stemmer,
}

impl<T: TokenStream> TokenStream for ScriptStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clone_from(stem);
            return true;
        }
        let stemmer = if token.text.bytes().all(|b| b.is_ascii_alphabetic()) {
            &self.english
        } else if token
            .text
            .chars()
            .any(|c| ('\u{400}'..='\u{4ff}').contains(&c))
        {
            &self.russian
        } else {
            return true;
        };
        let stem = stemmer.stem(&token.text).into_owned();
        self.cache.insert(token.text.clone(), stem.clone());
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Registers the analyzers on an index (they are not stored in it: every opening needs this).
pub(crate) fn register(index: &Index) {
    index.tokenizers().register(STEMMED_ANALYZER, stemmed());
}

/// The stems of a query word, as `text_stemmed` holds them.
pub(crate) fn stems(word: &str) -> Vec<String> {
    let mut analyzer = stemmed();
    let mut stream = analyzer.token_stream(word);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// How a tag is indexed and filtered: folded, so `Statistika`, `statistika` and `статистика`
/// are one tag.
pub fn tag_key(tag: &str) -> String {
    fold(tag.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_russian_words_are_stemmed_and_others_left_alone() {
        assert_eq!(stems("statistics"), stems("statistical"));
        assert_eq!(stems("исследования"), stems("исследование"));
        assert_eq!(stems("Translations"), vec!["translat".to_owned()]);
        // Uzbek and Azerbaijani words only pass through the lower-caser.
        assert_eq!(stems("Tadqiqotlar"), vec!["tadqiqotlar".to_owned()]);
        assert_eq!(tag_key("Статистика"), tag_key("statistika"));
    }
}
