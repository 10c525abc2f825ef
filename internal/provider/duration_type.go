package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// goDurationType is timetypes.GoDurationType with one change: a value that
// is not a duration is refused in plain words, on the attribute, by this
// type alone. timetypes' own refusal prints a literal "\n\nGiven Value: ..."
// and a Go error line that reads as a second error. Semantic equality
// ("60m" is "1h") and ValueGoDuration are timetypes'. Range checks stay with
// durationValidator.
type goDurationType struct {
	timetypes.GoDurationType
}

// goDuration is the value of a goDurationType attribute.
type goDuration struct {
	timetypes.GoDuration
}

var (
	_ basetypes.StringTypable                    = goDurationType{}
	_ basetypes.StringValuableWithSemanticEquals = goDuration{}
	_ xattr.ValidateableAttribute                = goDuration{}
)

func (t goDurationType) String() string { return "provider.goDurationType" }

func (t goDurationType) ValueType(context.Context) attr.Value { return goDuration{} }

func (t goDurationType) Equal(o attr.Type) bool {
	other, ok := o.(goDurationType)
	return ok && t.GoDurationType.Equal(other.GoDurationType)
}

func (t goDurationType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return goDuration{timetypes.GoDuration{StringValue: in}}, nil
}

func (t goDurationType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return goDuration{timetypes.GoDuration{StringValue: s}}, nil
}

func (d goDuration) Type(context.Context) attr.Type { return goDurationType{} }

func (d goDuration) Equal(o attr.Value) bool {
	other, ok := o.(goDuration)
	return ok && d.GoDuration.Equal(other.GoDuration)
}

func (d goDuration) StringSemanticEquals(ctx context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := newValuable.(goDuration)
	if !ok {
		var diags diag.Diagnostics
		diags.AddError("Unexpected Duration Value", fmt.Sprintf("Expected a duration value, got %T. This is a bug in the provider: please report it.", newValuable))
		return false, diags
	}
	return d.GoDuration.StringSemanticEquals(ctx, other.GoDuration)
}

// ValidateAttribute refuses a string that is not a Go duration.
func (d goDuration) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if d.IsNull() || d.IsUnknown() {
		return
	}
	if _, err := time.ParseDuration(d.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s must be a duration: a number followed by a unit (h, m, s or ms), or several, such as \"168h\", "+
				"\"30m\" or \"1h30m\"; got %q.", req.Path, d.ValueString()))
	}
}

func nullGoDuration() goDuration { return goDuration{timetypes.NewGoDurationNull()} }
