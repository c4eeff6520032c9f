//! Templates a job extends, filled with its variables.

#[allow(unused_imports)]
use super::*;

/// Makes a job definition from a template: the template's fields, overridden by the job's own,
/// with options merged by name, then every `{{name}}` in text fields replaced from `vars`. An
/// unknown template, an unfilled variable or a template that itself extends one is refused.
pub fn resolve_template(job: Value, templates: &HashMap<String, Value>) -> Result<Value, ApiError> {
    let Some(name) = job
        .get("extends")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Ok(job);
    };
    let base = templates
        .get(&name)
        .ok_or_else(|| ApiError::invalid(format!("template {name:?} does not exist")))?;
    if base.get("template").and_then(Value::as_bool) != Some(true) {
        return Err(ApiError::invalid(format!("job {name:?} is not a template")));
    }
    if base.get("extends").is_some_and(|e| !e.is_null()) {
        return Err(ApiError::invalid(format!(
            "template {name:?} extends another; one level only"
        )));
    }
    let (Some(base_obj), Some(own)) = (base.as_object(), job.as_object()) else {
        return Err(ApiError::invalid(
            "a job and its template must be JSON objects",
        ));
    };
    let mut merged = base_obj.clone();
    for key in ["id", "name", "template", "vars"] {
        merged.remove(key);
    }
    for (key, value) in own {
        if key == "options" {
            let mut options: Vec<Value> = merged
                .get("options")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for o in value.as_array().into_iter().flatten() {
                let name = o.get("name");
                match options.iter_mut().find(|b| b.get("name") == name) {
                    Some(existing) => *existing = o.clone(),
                    None => options.push(o.clone()),
                }
            }
            merged.insert(key.clone(), Value::Array(options));
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    let vars: BTreeMap<String, String> = own
        .get("vars")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| ApiError::invalid(format!("vars must map names to text: {e}")))?
        .unwrap_or_default();
    let mut out = Value::Object(merged);
    fill(&mut out, &vars)?;
    Ok(out)
}

fn fill(v: &mut Value, vars: &BTreeMap<String, String>) -> Result<(), ApiError> {
    match v {
        Value::String(s) => {
            *s = crate::template::render(s, |key| {
                vars.get(key).cloned().ok_or_else(|| {
                    ApiError::invalid(format!(
                        "template variable {{{{{key}}}}} has no value in vars"
                    ))
                })
            })?;
        }
        Value::Array(items) => {
            for i in items {
                fill(i, vars)?;
            }
        }
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k != "vars" {
                    fill(val, vars)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}
