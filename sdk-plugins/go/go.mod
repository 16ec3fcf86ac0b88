module github.com/wsbx/wsbx/sdk-plugins/go

go 1.26.0

require github.com/extism/go-pdk v1.1.3

require github.com/wsbx/wsbx v0.0.0

replace github.com/wsbx/wsbx => ../..
