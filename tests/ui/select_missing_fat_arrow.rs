async fn missing_fat_arrow() {
    zokio::select! {
        v = async { 1 } { v }
    };
}

fn main() {}
