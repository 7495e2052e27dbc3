fn main() {
    yew::Renderer::<bpfplay_web::App>::new().render();
}
