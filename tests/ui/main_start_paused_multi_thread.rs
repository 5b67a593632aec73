// `#[zokio::main]` is multi-thread unless told otherwise.
#[zokio::main(start_paused = true)]
async fn main() {}

#[zokio::test(flavor = "multi_thread", start_paused = true)]
async fn paused_multi_thread() {}
