async fn not_result() {
    let _ = zokio::try_join!(async { Ok::<u32, ()>(1) }, async { 2 });
}

fn main() {}
