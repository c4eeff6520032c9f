# A Vigil-protocol check in PowerShell: free space of a drive, in percent.
#
# Vigil writes one JSON request on stdin:
#   {"kind":"check","config":{"drive":"C","warn_percent":15,"crit_percent":5},"check":{...},"program":...}
# and reads one JSON result on stdout:
#   {"status":"ok|warning|critical|unknown","message":"...","metrics":[{"label":"free","value":42.5,"unit":"%","warn":"15","crit":"5"}],"details":{...}}
#
# WARNING below warn_percent free, CRITICAL below crit_percent free, UNKNOWN when the drive is
# not found or its size cannot be read. Runs in Windows PowerShell 5.1 and PowerShell 7 (pwsh),
# on Windows, Linux and macOS (Get-PSDrive knows the root drive "/" there; the default "C"
# means "/" off Windows).
#
# Try it by hand:
#   '{"kind":"check","config":{"drive":"C"}}' | powershell -NoProfile -File check.ps1

$ErrorActionPreference = 'Stop'

# Windows PowerShell 5.1 writes some arrays as {"value":[...],"Count":n}; dropping the extra
# type data for arrays (this session only) makes it write plain JSON arrays.
if ($PSVersionTable.PSVersion.Major -lt 6) {
    try { Remove-TypeData System.Array -ErrorAction SilentlyContinue } catch { }
}

function Write-Answer([string]$Status, [string]$Message, $Metrics, $Details) {
    $result = [ordered]@{ status = $Status; message = $Message; metrics = @($Metrics) }
    if ($null -ne $Details) { $result.details = $Details }
    $json = $result | ConvertTo-Json -Compress -Depth 5
    # ASCII only (\uXXXX for the rest), so the console's code page cannot garble the answer.
    $json = [regex]::Replace($json, '[^\x00-\x7F]',
        [System.Text.RegularExpressions.MatchEvaluator] { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    [Console]::Out.Write($json)
    [Console]::Out.Write("`n")
    [Console]::Out.Flush()
    exit 0
}

function Get-Number($Value, [double]$Default, [string]$Name) {
    if ($null -eq $Value -or "$Value" -eq '') { return $Default }
    $n = 0.0
    if (-not [double]::TryParse("$Value", [Globalization.NumberStyles]::Float,
            [Globalization.CultureInfo]::InvariantCulture, [ref]$n) -or $n -lt 0 -or $n -gt 100) {
        throw "$Name must be a percentage from 0 to 100, got '$Value'"
    }
    return $n
}

function Format-Invariant([string]$Format) {
    return [string]::Format([Globalization.CultureInfo]::InvariantCulture, $Format, $args)
}

try {
    $raw = [Console]::In.ReadToEnd()
    $config = $null
    if ($raw -and $raw.Trim()) {
        $request = $raw | ConvertFrom-Json
        $config = $request.config
    }

    $onWindows = ($PSVersionTable.PSEdition -ne 'Core') -or $IsWindows
    $drive = ''
    if ($null -ne $config -and $null -ne $config.drive) { $drive = "$($config.drive)".Trim() }
    if ($onWindows) {
        if ($drive -eq '') { $drive = 'C' }
        # Accept "C", "C:", "C:\" alike.
        $drive = $drive.TrimEnd('\', '/').TrimEnd(':')
    } elseif ($drive -eq '' -or $drive -eq 'C') {
        $drive = '/'
    }

    $warn = Get-Number $config.warn_percent 15 'warn_percent'
    $crit = Get-Number $config.crit_percent 5 'crit_percent'
    if ($crit -gt $warn) { throw "crit_percent ($crit) must not be above warn_percent ($warn)" }
}
catch {
    Write-Answer 'unknown' "bad request or config: $($_.Exception.Message)" @() $null
}

try {
    $d = Get-PSDrive -Name $drive -PSProvider FileSystem -ErrorAction Stop
}
catch {
    Write-Answer 'unknown' "drive '$drive' not found: $($_.Exception.Message)" @() $null
}

$free = [double]$d.Free
$used = [double]$d.Used
$total = $free + $used
if ($null -eq $d.Free -or $total -le 0) {
    Write-Answer 'unknown' "the size of drive '$drive' cannot be read (not ready, or a network drive that is gone?)" @() $null
}

$pct = [math]::Round(100.0 * $free / $total, 2)
$metric = [ordered]@{
    label = 'free'; value = $pct; unit = '%'
    warn = Format-Invariant '{0}' $warn; crit = Format-Invariant '{0}' $crit
}
$details = [ordered]@{ drive = $drive; root = "$($d.Root)"; free_bytes = $free; total_bytes = $total }
$gb = 1024.0 * 1024.0 * 1024.0
$text = Format-Invariant '{0}: {1:0.##}% free ({2:0.0} GiB of {3:0.0} GiB)' $drive $pct ($free / $gb) ($total / $gb)

if ($pct -lt $crit) {
    Write-Answer 'critical' "$text, below $(Format-Invariant '{0}' $crit)%" @($metric) $details
}
if ($pct -lt $warn) {
    Write-Answer 'warning' "$text, below $(Format-Invariant '{0}' $warn)%" @($metric) $details
}
Write-Answer 'ok' $text @($metric) $details
