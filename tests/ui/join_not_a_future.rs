async fn not_a_future() {
    let _ = zokio::join!(async { 1 }, 2);
}

async fn select_not_a_future() {
    zokio::select! {
        _ = "text" => {}
    }
}

fn main() {}
