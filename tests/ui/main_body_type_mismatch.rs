#[zokio::main]
async fn main() -> Result<(), String> {
    let n = 1;
    n + 1
}
