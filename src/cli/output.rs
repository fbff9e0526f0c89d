//! The commands' output, through one writer.

/// Writes the command's output. A reader that stopped reading (`marginalia stats big.ron |
/// head -1`) ends the command quietly, as it ends `cat`; any other failure to write (a full
/// disk behind a redirection) is an error and a non-zero exit, never a panic.
pub(super) fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("marginalia: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// `println!` through [`write_out`].
macro_rules! outln {
    ($($arg:tt)*) => {
        write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}
