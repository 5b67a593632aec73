async fn missing_comma() {
    let _ = zokio::join!(async { 1 } async { 2 });
}

fn main() {}
