// The PowerShell script: one native argument completer holding the model as hashtables and walking the
// command elements before the cursor. Returning nothing lets PowerShell fall back to path completion, which
// is what file and directory values want.
import { type CompletionFlag, type CompletionModel, PROGRAM_NAMES, valueFlagTokens, valueHints } from './model.js';
import { psQuote } from './quote.js';

export interface PowerShellOptions {
  descriptions: boolean;
}

function orderedTable(items: { name: string; description: string }[], indent: string): string {
  if (items.length === 0) return '[ordered]@{}';
  const rows = items.map((item) => `${indent}    ${psQuote(item.name)} = ${psQuote(item.description)}`).join('\n');
  return `[ordered]@{\n${rows}\n${indent}}`;
}

function flagItems(flags: CompletionFlag[]): { name: string; description: string }[] {
  return flags.flatMap((flag) => flag.tokens.map((token) => ({ name: token, description: flag.description })));
}

const list = (items: string[]) => `@(${items.map(psQuote).join(', ')})`;

export function powershellCompletion(model: CompletionModel, options: PowerShellOptions): string {
  const indent = '        ';
  const table = (entries: [string, string][]) => entries.map(([key, value]) => `${indent}${psQuote(key)} = ${value}`).join('\n');
  const subcommands = table(
    model.nodes.filter((node) => node.subcommands.length > 0).map((node) => [node.path, orderedTable(node.subcommands, indent)]),
  );
  const flags = table(model.nodes.map((node) => [node.path, orderedTable(flagItems(node.flags), indent)]));
  const valueFlags = table(
    model.nodes.filter((node) => valueFlagTokens(node.flags).length > 0).map((node) => [node.path, list(valueFlagTokens(node.flags))]),
  );
  const values = table(
    [...valueHints(model)].map(([token, hint]) => [token, hint.kind === 'words' ? list(hint.words) : psQuote(hint.kind)]),
  );

  return `# powershell completion for etcdctl-ts
#
# Generated from the etcdctl-ts command tree by \`etcdctl-ts completion powershell\`; do not edit.
# Load it in the current shell with:  etcdctl-ts completion powershell | Out-String | Invoke-Expression

Register-ArgumentCompleter -Native -CommandName ${PROGRAM_NAMES.map(psQuote).join(', ')} -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    # The sub-commands of each command path ('' is the program itself), with descriptions.
    $subcommands = @{
${subcommands}
    }
    # The flags of each command path, with descriptions; the global ones are valid everywhere.
    $flags = @{
${flags}
    }
    $globalFlags = ${orderedTable(flagItems(model.globalFlags), '    ')}
    # Flags that take a value (in the next word unless written --flag=value).
    $valueFlags = @{
${valueFlags}
    }
    $globalValueFlags = ${list(valueFlagTokens(model.globalFlags))}
    # Known values of flags: a list of words, or 'file' / 'directory' (left to PowerShell's path completion).
    $flagValues = @{
${values}
    }
    $withDescriptions = $${options.descriptions ? 'true' : 'false'}

    $emit = {
        param($candidates, $prefix)
        foreach ($name in $candidates.Keys) {
            $text = "$prefix$name"
            if (-not $text.StartsWith($wordToComplete, [StringComparison]::Ordinal)) { continue }
            $tip = if ($withDescriptions -and $candidates[$name]) { $candidates[$name] } else { $text }
            [System.Management.Automation.CompletionResult]::new($text, $text, 'ParameterValue', $tip)
        }
    }
    $emitValues = {
        param($flag, $prefix)
        $hint = $flagValues[$flag]
        if ($hint -is [array]) {
            $words = [ordered]@{}
            foreach ($word in $hint) { $words[$word] = '' }
            & $emit $words $prefix
        }
    }

    # Walk the words between the program and the cursor: flags (and the values they take) are skipped,
    # command names descend the tree, anything else is a positional argument.
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
    $path = ''
    for ($i = 1; $i -lt $words.Count; $i++) {
        $word = $words[$i]
        if ($word -ceq '--') { return }
        if ($word.StartsWith('-') -and $word.Length -gt 1) {
            $takesValue = @($valueFlags[$path]) + $globalValueFlags
            if (-not $word.Contains('=') -and $takesValue -ccontains $word) {
                if ($i -eq $words.Count - 1) { & $emitValues $word ''; return }
                $i++
            }
            continue
        }
        $children = $subcommands[$path]
        if ($children -and $children.Contains($word)) { $path = if ($path) { "$path $word" } else { $word } }
    }

    if ($wordToComplete -match '^(-[^=]+)=') {
        & $emitValues $Matches[1] "$($Matches[1])="
    } elseif ($wordToComplete.StartsWith('-')) {
        $all = [ordered]@{}
        foreach ($table in @($flags[$path], $globalFlags)) {
            if ($table) { foreach ($name in $table.Keys) { $all[$name] = $table[$name] } }
        }
        & $emit $all ''
    } elseif ($subcommands[$path]) {
        & $emit $subcommands[$path] ''
    }
}
`;
}
