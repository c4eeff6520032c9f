//! The dependency graph: cycles refused with their path, levels for parallel runs.

#[allow(unused_imports)]
use super::*;

/// Refuses unknown ids and cycles among `depends_on`, `on_success` and `on_failure`, naming the
/// path of the cycle (`a -> b -> a`).
pub fn check_graph(jobs: &[Job]) -> Result<(), ApiError> {
    let index: HashMap<&str, &Job> = jobs.iter().map(|j| (j.id.as_str(), j)).collect();
    for j in jobs {
        for dep in j
            .depends_on
            .iter()
            .chain(&j.on_success)
            .chain(&j.on_failure)
        {
            if !index.contains_key(dep.as_str()) {
                return Err(ApiError::invalid(format!(
                    "job {:?} refers to unknown job {dep:?}",
                    j.id
                )));
            }
        }
    }
    // Depth-first search with colours; the stack is the path when a grey node is met again.
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: HashMap<&str, Colour> = jobs
        .iter()
        .map(|j| (j.id.as_str(), Colour::White))
        .collect();
    fn visit<'a>(
        id: &'a str,
        index: &HashMap<&'a str, &'a Job>,
        colour: &mut HashMap<&'a str, Colour>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), ApiError> {
        colour.insert(id, Colour::Grey);
        path.push(id);
        let job = index[id];
        for next in job
            .depends_on
            .iter()
            .chain(&job.on_success)
            .chain(&job.on_failure)
        {
            match colour[next.as_str()] {
                Colour::Grey => {
                    let start = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[start..].to_vec();
                    cycle.push(next);
                    return Err(ApiError::invalid(format!(
                        "jobs form a cycle: {}",
                        cycle.join(" -> ")
                    )));
                }
                Colour::White => visit(next, index, colour, path)?,
                Colour::Black => {}
            }
        }
        path.pop();
        colour.insert(id, Colour::Black);
        Ok(())
    }
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    for id in ids {
        if colour[id] == Colour::White {
            visit(id, &index, &mut colour, &mut Vec::new())?;
        }
    }
    Ok(())
}

/// The jobs a run of `root` needs, in levels: every job of a level depends only on earlier
/// levels, so a level's jobs can run in parallel. The last level is `[root]`.
pub fn plan(root: &str, jobs: &[Job]) -> Result<Vec<Vec<JobId>>, ApiError> {
    let index: HashMap<&str, &Job> = jobs.iter().map(|j| (j.id.as_str(), j)).collect();
    if !index.contains_key(root) {
        return Err(ApiError::not_found(format!("no job {root:?}")));
    }
    // Depth of each needed job = 1 + max depth of what it depends on.
    fn depth<'a>(
        id: &'a str,
        index: &HashMap<&'a str, &'a Job>,
        memo: &mut HashMap<&'a str, usize>,
        seen: &mut BTreeSet<&'a str>,
    ) -> Result<usize, ApiError> {
        if let Some(d) = memo.get(id) {
            return Ok(*d);
        }
        if !seen.insert(id) {
            return Err(ApiError::invalid(format!(
                "jobs form a cycle through {id:?}"
            )));
        }
        let job = index
            .get(id)
            .ok_or_else(|| ApiError::invalid(format!("unknown job {id:?}")))?;
        let mut d = 0;
        for dep in &job.depends_on {
            d = d.max(depth(dep, index, memo, seen)? + 1);
        }
        seen.remove(id);
        memo.insert(id, d);
        Ok(d)
    }
    let mut memo = HashMap::new();
    let top = depth(root, &index, &mut memo, &mut BTreeSet::new())?;
    let mut levels: Vec<Vec<JobId>> = vec![Vec::new(); top + 1];
    let mut ids: Vec<(&str, usize)> = memo.into_iter().collect();
    ids.sort();
    for (id, d) in ids {
        levels[d].push(id.to_owned());
    }
    Ok(levels)
}
