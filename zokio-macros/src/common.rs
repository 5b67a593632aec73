//! Parsing and span helpers shared by `select!`, `join!` and `try_join!`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use syn::parse::ParseStream;
use syn::Token;

/// Parses `crate_path = <tokens>;`, which the facade's `macro_rules!`
/// wrappers put before the user's tokens (the tokens are `$crate`).
pub(crate) fn parse_crate_path(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let key: syn::Ident = input.parse()?;
    if key != "crate_path" {
        return Err(syn::Error::new(
            key.span(),
            "expected `crate_path = ...;` (call this through `zokio::select!`, `zokio::join!` \
             or `zokio::try_join!`)",
        ));
    }
    input.parse::<Token![=]>()?;
    let mut path = TokenStream::new();
    while !input.peek(Token![;]) {
        path.extend(std::iter::once(input.parse::<TokenTree>()?));
    }
    input.parse::<Token![;]>()?;
    Ok(path)
}

/// True if the next tokens are `biased;` (without consuming them).
pub(crate) fn peek_biased(input: ParseStream<'_>) -> bool {
    input.peek(syn::Ident)
        && input.peek2(Token![;])
        && input
            .fork()
            .parse::<syn::Ident>()
            .is_ok_and(|ident| ident == "biased")
}

/// Parses an optional leading `biased;`.
pub(crate) fn parse_biased(input: ParseStream<'_>) -> syn::Result<bool> {
    if !peek_biased(input) {
        return Ok(false);
    }
    input.parse::<syn::Ident>()?;
    input.parse::<Token![;]>()?;
    Ok(true)
}

/// Moves every token of `tokens` to the location of `span` while keeping its
/// hygiene (so `$crate` and mixed-site locals resolve as before): errors in
/// that code then point at the user's tokens rather than at the macro.
pub(crate) fn locate(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(group) = &tt {
                let mut moved = Group::new(group.delimiter(), locate(group.stream(), span));
                moved.set_span(group.span().located_at(span));
                tt = TokenTree::Group(moved);
            } else {
                tt.set_span(tt.span().located_at(span));
            }
            tt
        })
        .collect()
}
