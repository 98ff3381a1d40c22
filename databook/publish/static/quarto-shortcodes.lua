-- Shortcodes {{< chart NAME >}} and {{< table NAME >}} of databook's Quarto
-- book project.
--
-- databook writes every chart and table of a chapter beforehand into
-- _fragments/<chapter file stem>/: <kind>-<NAME>.html (the block as on the
-- built-in site, a plotly chart or an HTML table) and <kind>-<NAME>.md (the
-- chart SVG or a pipe table, with number, caption and source line). HTML
-- output gets the .html fragment, every other format (typst PDF) the .md one.
--
-- NOTE: written against Quarto's documented Lua API (quarto.doc.input_file,
-- quarto.project.directory, quarto.doc.is_format) and only syntax-checked
-- with luac: no real Quarto has run it in this project's tests.

local function read_text(path)
  local file = io.open(path, "r")
  if file == nil then
    return nil
  end
  local text = file:read("a")
  file:close()
  return text
end

local function chapter_stem()
  local name = pandoc.path.filename(quarto.doc.input_file)
  local stem = pandoc.path.split_extension(name)
  return stem
end

local function project_directory()
  -- The chapters sit at the project root, so their folder is the fallback.
  if quarto.project ~= nil and quarto.project.directory ~= nil then
    return quarto.project.directory
  end
  return pandoc.path.directory(quarto.doc.input_file)
end

local function fragment(kind, args)
  local name = pandoc.utils.stringify(args[1])
  local base = pandoc.path.join({
    project_directory(), "_fragments", chapter_stem(), kind .. "-" .. name,
  })

  if quarto.doc.is_format("html") then
    local html = read_text(base .. ".html")
    if html ~= nil then
      return pandoc.RawBlock("html", html)
    end
  else
    local markdown = read_text(base .. ".md")
    if markdown ~= nil then
      return pandoc.read(markdown, "markdown").blocks
    end
  end

  quarto.log.error("databook: no fragment for {{< " .. kind .. " " .. name
    .. " >}} at " .. base .. ". Build the book again with databook build.")
  return pandoc.Para({ pandoc.Strong({ pandoc.Str("[" .. kind .. " " .. name .. "]") }) })
end

return {
  ["chart"] = function(args, kwargs, meta)
    return fragment("chart", args)
  end,
  ["table"] = function(args, kwargs, meta)
    return fragment("table", args)
  end,
}
