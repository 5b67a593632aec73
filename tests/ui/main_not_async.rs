#[zokio::main]
fn main() {}
