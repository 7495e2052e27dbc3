pub mod app;
pub mod output;
