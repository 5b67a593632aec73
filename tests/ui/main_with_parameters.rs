#[zokio::main(flavor = "current_thread")]
async fn main(args: Vec<String>) {
    drop(args);
}
