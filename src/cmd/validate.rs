//! `eyrie validate`: every published figure eyrie models against the model.

use std::process::ExitCode;

use eyrie_reports::validate::{Tally, render_table, write_csv, write_json};
use eyrie_sim::validate::{References, TABLES, validate as run_tables};

use crate::CliResult;
use crate::cli::{Format, ValidateArgs};
use crate::output::Staged;

/// Run the chosen tables, print them, write `--out`, and exit 1 on a figure outside its tolerance.
pub fn validate(a: &ValidateArgs) -> CliResult<ExitCode> {
    if a.list {
        for t in TABLES {
            println!("{:<26} {}\n{:<26} {}", t.name, t.title, "", t.command);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let refs = match &a.reference {
        Some(dir) => References::from_dir(dir)?,
        None => References::builtin()?,
    };
    let out = run_tables(&refs, &a.only, a.seed)?;
    if let Some(dir) = &a.out {
        let mut csv = Vec::new();
        write_csv(&mut csv, &out)?;
        let mut json = Vec::new();
        write_json(&mut json, &out, &refs.origin)?;
        let mut staged = Staged::new(dir)?;
        staged.add("validate.csv", &csv)?;
        staged.add("validate.json", &json)?;
        for f in staged.commit()? {
            eprintln!("wrote {}", f.display());
        }
    }
    match a.format {
        Format::Table => print!("{}", render_table(&out, &refs.origin)),
        Format::Csv => write_csv(std::io::stdout().lock(), &out)?,
        Format::Json => {
            write_json(std::io::stdout().lock(), &out, &refs.origin)?;
            println!();
        }
    }
    let t = Tally::of(&out.checks);
    let failing = t.miss + if a.allow_documented { 0 } else { t.documented };
    if failing > 0 {
        let what = if a.allow_documented { "unexplained" } else { "documented or unexplained" };
        eprintln!("{failing} figure(s) outside their tolerance ({what})");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
