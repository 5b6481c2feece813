//! The macros that declare schema rows: [`attr_table!`](crate::attr_table)
//! (one row per attribute: constant, kind enum, [`AttrSet`](super::AttrSet)),
//! [`typed_attrs!`](crate::typed_attrs) (views and owned forms over those
//! constants), [`fixed_header!`](crate::fixed_header) (a family header from
//! its zerocopy struct) and [`value_names!`](crate::value_names). They are
//! exported, so that any family module, the CLI or a generated module
//! produces the same schema values.

/// Generates, for one attribute set: a `pub const` per attribute (`IFLA_MTU`),
/// a `#[non_exhaustive]` kind enum with `Unknown(u16)` whose variants carry
/// `#[doc(alias = "IFLA_MTU")]`, and a `pub static` [`AttrSet`](crate::schema::AttrSet) for naming
/// and showing values.
#[macro_export]
macro_rules! attr_table {
    (
        $(#[$em:meta])* enum $Enum:ident;
        $(#[$sm:meta])* static $SET:ident = $set_name:literal;
        $( $Var:ident = $val:literal, $C:ident, $cname:literal, $vk:expr; )*
    ) => {
        $(
            #[doc = concat!("`", $cname, "`")]
            pub const $C: u16 = $val;
        )*

        $(#[$em])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $Enum {
            $(
                #[doc = concat!("`", $cname, "`")]
                #[doc(alias = $cname)]
                $Var,
            )*
            /// A type this table does not know (kept, never an error).
            Unknown(u16),
        }

        impl $Enum {
            /// The kind of attribute type `v`.
            pub fn from_u16(v: u16) -> Self {
                match v { $($val => Self::$Var,)* o => Self::Unknown(o) }
            }
            /// The type number.
            pub fn to_u16(self) -> u16 {
                match self { $(Self::$Var => $val,)* Self::Unknown(o) => o }
            }
            /// The kernel constant name, if known.
            pub fn c_name(self) -> Option<&'static str> {
                match self { $(Self::$Var => Some($cname),)* Self::Unknown(_) => None }
            }
        }

        impl From<u16> for $Enum {
            fn from(v: u16) -> Self { Self::from_u16(v) }
        }

        impl core::fmt::Display for $Enum {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.c_name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}", self.to_u16()),
                }
            }
        }

        $(#[$sm])*
        pub static $SET: $crate::schema::AttrSet = $crate::schema::AttrSet {
            name: $set_name,
            defs: &[$( $crate::schema::AttrDef { kind: $val, name: $cname, value: $vk }, )*],
        };
    };
}
/// A struct of optional attributes, from one list: each field is written
/// once, as `name: Type = CONSTANT`, and the macro generates the field
/// (`Option<Type>`), its arm in `parse_attrs` (attributes the list does not
/// name are skipped) and its line in `write_attrs` (in list order, only the
/// fields that are set). Values go through [`AttrValue`](crate::schema::AttrValue); `name: u16 as Be`
/// is a big-endian `u16`; `= A | B` accepts either type and writes the one
/// [`AttrValue::pick`](crate::schema::AttrValue::pick) chooses (IPv4 `A`, IPv6 `B`).
///
/// The view form, `struct AddrView<'a>: IfAddrMsg, ADDR_SET, "an address
/// message" { .. }`, makes a view instead: a `header: &'a IfAddrMsg` field
/// first, the listed fields, then the fields of an optional
/// `others (handler) { .. }` block (starting at `Default::default()`), and
/// the raw attributes; with `parse`, `parse_payload` (one pass, borrowing
/// the buffer: nothing is copied; an attribute the list does not name goes
/// to the handler, which fills the `others` or ignores it), `attrs`,
/// `unknown_attrs` (by the table `ADDR_SET`) and `malformed_attrs`. A view
/// field may name its reader, `= RTA_VIA with read_via`, for a value that
/// is not an [`AttrValue`](crate::schema::AttrValue) (raw nested attributes, odd structs).
///
/// A value that does not read (an integer of the wrong size) never fails
/// the message: its field stays `None` and `malformed_attrs` gives it raw.
///
/// **Lazy views.** `@lazy` before the view (`@lazy pub struct RouteView<'a>:
/// RtMsg, ..`) makes each field an accessor instead (`v.dst()`, same
/// name, same `Option<Type>`): the one pass over the attributes only notes
/// where each field's attribute is (a `u32` offset per field, so the view
/// stays small whatever the number of fields), and an accessor reads its
/// value from there when asked. Values are the eager view's: the last
/// attribute of a type whose value reads wins, one that does not read is
/// `malformed_attrs`'. For a view a long listing decodes per message and
/// prints only a few fields of (routes); `Debug` shows the values. No
/// `others` block.
///
/// **One declaration, view and owned form.** After the view (and its
/// `others`), a `;` and an `owned Addr (fill, write_more) { extra fields }` block
/// makes the owned struct too. A field written `name: ViewType =>
/// OwnedType = CONST` is then, once: the view field, the owned field
/// (`Option<OwnedType>`), its parse, its conversion in the generated
/// `to_owned` ([`FromView`](crate::schema::FromView): `Name` to `String`,
/// `&[u8]` to `Vec<u8>`, `Copy` values as they are) and its line in the
/// generated `write_attrs(w, request)` (declaration order, only what is
/// set). A field without `=> OwnedType` is view-only. Per field:
/// `@reported` before it leaves it out of requests (statistics, bounds);
/// `; write Route::write_via` after it names the function that writes
/// that place of the order instead (`fn(&Owned, &mut MsgWriter, request)`),
/// for a value with its own encoding. The extra fields start at
/// `Default::default()`; `fill(&view, &mut owned)` sets them (header
/// fields, merged values, nests), and `write_more(&owned, w, request)`
/// appends what they write. `owned @fallible X` makes `to_owned` return a
/// `wire::Result` (a `fill` that returns one).
///
/// ```text
/// typed_attrs! {
///     /// A neighbour message, decoded in one pass.
///     #[derive(Clone, Copy, Debug)]
///     pub struct NeighView<'a>: NdMsg, NDA_SET, "a neighbour message" {
///         /// `NDA_DST`.
///         pub dst: IpAddr => IpAddr = NDA_DST,
///         /// `NDA_LLADDR`.
///         pub lladdr: &'a [u8] => Vec<u8> = NDA_LLADDR,
///         /// `NDA_PROBES`.
///         @reported pub probes: u32 => u32 = NDA_PROBES,
///     };
///     /// A neighbour, owned.
///     #[derive(Clone, Debug, Default, PartialEq, Eq)]
///     owned Neigh (Self::owned_rest, Neigh::write_rest) {
///         /// `ndm_ifindex`.
///         pub ifindex: u32,
///     }
/// }
/// ```
///
/// The plain form (no lifetime, no header), for the settings inside a nest:
///
/// ```text
/// typed_attrs! {
///     /// VLAN settings (`IFLA_VLAN_*`).
///     #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
///     pub struct Vlan {
///         /// `IFLA_VLAN_ID`.
///         pub id: u16 = IFLA_VLAN_ID,
///         /// `IFLA_VLAN_PROTOCOL`, host order.
///         pub protocol: u16 as Be = IFLA_VLAN_PROTOCOL,
///     }
/// }
/// ```
#[macro_export]
macro_rules! typed_attrs {
    (@read $a:ident, $ty:ty) => {
        <$ty as $crate::schema::AttrValue>::read(&$a)?
    };
    (@read $a:ident, $ty:ty, as $wrap:ident) => {
        <$crate::schema::$wrap<$ty> as $crate::schema::AttrValue>::read(&$a)?.0
    };
    (@read $a:ident, $ty:ty, with $read:path) => {
        $read(&$a)?
    };
    (@write $w:ident, $v:ident, $kinds:expr) => {{
        use $crate::schema::AttrValue as _;
        $v.write($w, $v.pick(&$kinds))?;
    }};
    (@write $w:ident, $v:ident, $kinds:expr, $wrap:ident) => {{
        use $crate::schema::AttrValue as _;
        let v = $crate::schema::$wrap(*$v);
        v.write($w, v.pick(&$kinds))?;
    }};
    (@get view_field $s:ident, $f:ident) => {
        $s.$f
    };
    (@get view_method $s:ident, $f:ident) => {
        $s.$f()
    };
    (@other) => {
        |_: &mut Self, _: $crate::wire::Attr<'_>| -> $crate::wire::Result<()> { Ok(()) }
    };
    (@other $other:path) => {
        $other
    };
    (@reported $r:ident) => {
        false
    };
    (@reported $r:ident reported) => {
        $r
    };
    (@owned_write $s:expr, $w:ident, $r:ident, $v:expr, [$wfn:path], $($rest:tt)*) => {
        $wfn($s, $w, $r)?;
    };
    (@owned_write $s:expr, $w:ident, $r:ident, $v:expr, [], [], $($rest:tt)*) => {};
    (@owned_write $s:expr, $w:ident, $r:ident, $v:expr, [], [$oty:ty], [$($flag:ident)?], [$($C:ident),+], [$($wrap:ident)?]) => {
        if !$crate::typed_attrs!(@reported $r $($flag)?) {
            if let Some(v) = &$v {
                $crate::typed_attrs!(@write $w, v, [$($C),+] $(, $wrap)?);
            }
        }
    };
    (@owned_ret [] $Owned:ident) => { $Owned };
    (@owned_ret [fallible] $Owned:ident) => { $crate::wire::Result<$Owned> };
    (@owned_end [] $fill:path, $s:expr, $o:ident) => {{
        $fill($s, &mut $o);
        $o
    }};
    (@owned_end [fallible] $fill:path, $s:expr, $o:ident) => {{
        $fill($s, &mut $o)?;
        Ok($o)
    }};
    // The owned form of a view (see the macro's docs): the view arm hands
    // over its fields, one bracketed row each, and what follows `others`.
    (@owned_form $get:ident $Name:ident $lt:lifetime {
        $( [$field:ident] [$($oty:ty)?] [$($flag:ident)?] [$($wfn:path)?] [$($C:ident),+] [$($wrap:ident)?] )*
    }) => {};
    (@owned_form $get:ident $Name:ident $lt:lifetime {
        $( [$field:ident] [$($oty:ty)?] [$($flag:ident)?] [$($wfn:path)?] [$($C:ident),+] [$($wrap:ident)?] )*
    }
        $(#[$om:meta])*
        owned $(@$fallible:ident)? $Owned:ident ($fill:path, $write_more:path) {
            $(
                $(#[$ym:meta])*
                $yvis:vis $y:ident: $yty:ty,
            )*
        }
    ) => {
        $(#[$om])*
        pub struct $Owned {
            $( $(#[$ym])* $yvis $y: $yty, )*
            $($(
                #[doc = concat!("As [`", stringify!($Name), "::", stringify!($field), "`].")]
                pub $field: Option<$oty>,
            )?)*
        }

        impl<$lt> $Name<$lt> {
            /// The owned form.
            pub fn to_owned(&self) -> $crate::typed_attrs!(@owned_ret [$($fallible)?] $Owned) {
                let mut o = $Owned {
                    $( $y: Default::default(), )*
                    $($(
                        $field: $crate::typed_attrs!(@get $get self, $field).map(<$oty as $crate::schema::FromView<_>>::from_view),
                    )?)*
                };
                $crate::typed_attrs!(@owned_end [$($fallible)?] $fill, self, o)
            }
        }

        impl $Owned {
            /// Appends the attributes that are set, in declaration order
            /// (then the ones the family writes by hand). With `request`,
            /// attributes the kernel only reports are left out.
            pub fn write_attrs(
                &self,
                w: &mut $crate::wire::MsgWriter<'_>,
                request: bool,
            ) -> $crate::wire::Result<()> {
                $(
                    $crate::typed_attrs!(
                        @owned_write self, w, request, self.$field, [$($wfn)?], [$($oty)?],
                        [$($flag)?],
                        [$($C),+], [$($wrap)?]
                    );
                )*
                $write_more(self, w, request)
            }
        }
    };
    // What every view has: `parse`, `parse_payload` and the raw
    // attributes (all, unknown, malformed); `$malformed` ends that doc.
    (@view_common $Name:ident $lt:lifetime, $Header:ty, $SET:ident, $what:literal, #[$inl:meta], $malformed:literal {
        $( [$ty:ty] [$($wrap:ident)?] [$($read:path)?] [$($C:ident),+] )*
    }) => {
        impl<$lt> $Name<$lt> {
            #[doc = concat!("Decodes ", $what, ".")]
            #[$inl]
            pub fn parse(msg: &$crate::wire::Msg<&$lt [u8]>) -> $crate::wire::Result<Self> {
                Self::parse_payload(msg.payload_ref())
            }

            #[doc = concat!("Decodes the payload of ", $what, " (family header, then attributes).")]
            #[$inl]
            pub fn parse_payload(payload: &$lt [u8]) -> $crate::wire::Result<Self> {
                let (header, attrs, attrs_at) = $crate::schema::split_header::<$Header>(payload)?;
                Self::from_parts(header, attrs, attrs_at)
            }

            /// The attributes' bytes, as received (after the family header).
            pub fn attr_bytes(&self) -> &$lt [u8] {
                self.attrs
            }

            /// Every attribute, in order.
            pub fn attrs(&self) -> $crate::wire::AttrIter<$lt> {
                $crate::wire::AttrIter::with_offset(self.attrs, self.attrs_at)
            }

            /// Attributes nlkit does not know, kept raw.
            pub fn unknown_attrs(&self) -> impl Iterator<Item = $crate::wire::Attr<$lt>> + $lt {
                $crate::schema::unknown(&$SET, self.attrs())
            }

            /// Attributes of a known type whose value does not read as its
            /// field's type (an integer of the wrong size...), kept raw:
            #[doc = $malformed]
            pub fn malformed_attrs(&self) -> impl Iterator<Item = $crate::wire::Attr<$lt>> + $lt {
                self.attrs().map_while(Result::ok).filter(|a| match a.kind() {
                    $( $($C)|+ => $crate::typed_attrs!(@try_read *a, $lt, $ty $(, as $wrap)? $(, with $read)?).is_err(), )*
                    _ => false,
                })
            }
        }
    };
    // Reads attribute `$a` as a field of type `$ty` (a `wire::Result`).
    (@try_read $a:expr, $lt:lifetime, $ty:ty $(, as $wrap:ident)? $(, with $read:path)?) => {
        (|a: $crate::wire::Attr<$lt>| -> $crate::wire::Result<$ty> {
            Ok($crate::typed_attrs!(@read a, $ty $(, as $wrap)? $(, with $read)?))
        })($a)
    };
    (
        @lazy
        $(#[$sm:meta])*
        $vis:vis struct $Name:ident<$lt:lifetime>: $Header:ty, $SET:ident, $what:literal {
            $(
                $(#[$fm:meta])*
                $(@$flag:ident)?
                $fvis:vis $field:ident: $ty:ty $(as $wrap:ident)? $(=> $oty:ty)?
                    = $($C:ident)|+ $(with $read:path)? $(; write $wfn:path)?,
            )*
        }
        $(; $($owned:tt)+)?
    ) => {
        $crate::typed_attrs!(@owned_form view_method $Name $lt {
            $( [$field] [$($oty)?] [$($flag)?] [$($wfn)?] [$($C),+] [$($wrap)?] )*
        } $($($owned)+)?);

        $(#[$sm])*
        $vis struct $Name<$lt> {
            /// The family header.
            pub header: &$lt $Header,
            attrs: &$lt [u8],
            attrs_at: usize,
            // Per field: 1 + the offset in `attrs` of the attribute that
            // holds it (the last one of its type that reads), or 0.
            $( $field: u32, )*
        }

        impl<$lt> $Name<$lt> {
            #[doc = concat!("Decodes ", $what, " from its parts: the family header and the attributes")]
            /// (at offset `attrs_at` of their message). One pass over the
            /// attributes notes where each field's attribute is (a value
            /// that does not read is not noted, and stays in `attrs`: see
            /// `malformed_attrs`); each accessor reads its value from there.
            #[inline(always)]
            pub fn from_parts(
                header: &$lt $Header,
                attrs: &$lt [u8],
                attrs_at: usize,
            ) -> $crate::wire::Result<Self> {
                let mut v = Self { header, attrs, attrs_at, $($field: 0,)* };
                // Offsets are noted as `u32`: a message's length is one.
                if u32::try_from(attrs.len()).is_err() {
                    return Err($crate::wire::Error::MsgTooLong { at: attrs_at, len: u32::MAX, have: attrs.len() });
                }
                for a in $crate::wire::AttrIter::with_offset(attrs, attrs_at) {
                    let a = a?;
                    match a.kind() {
                        $( $($C)|+ if $crate::typed_attrs!(@try_read a, $lt, $ty $(, as $wrap)? $(, with $read)?).is_ok() => {
                            // Checked above: the offset fits.
                            v.$field = (a.offset() - attrs_at + 1) as u32;
                        } )*
                        _ => {}
                    }
                }
                Ok(v)
            }

            $(
                $(#[$fm])*
                #[inline]
                $fvis fn $field(&self) -> Option<$ty> {
                    let at = (self.$field as usize).checked_sub(1)?;
                    let a = $crate::wire::Attr::at_offset(self.attrs, at, self.attrs_at)?;
                    $crate::typed_attrs!(@try_read a, $lt, $ty $(, as $wrap)? $(, with $read)?).ok()
                }
            )*
        }

        $crate::typed_attrs!(@view_common $Name $lt, $Header, $SET, $what, #[inline(always)], "their accessors give `None` instead of failing the message." {
            $( [$ty] [$($wrap)?] [$($read)?] [$($C),+] )*
        });

        impl core::fmt::Debug for $Name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($Name))
                    .field("header", &self.header)
                    $( .field(stringify!($field), &self.$field()) )*
                    .finish()
            }
        }
    };
    (
        $(#[$sm:meta])*
        $vis:vis struct $Name:ident<$lt:lifetime>: $Header:ty, $SET:ident, $what:literal {
            $(
                $(#[$fm:meta])*
                $(@$flag:ident)?
                $fvis:vis $field:ident: $ty:ty $(as $wrap:ident)? $(=> $oty:ty)?
                    = $($C:ident)|+ $(with $read:path)? $(; write $wfn:path)?,
            )*
        }
        $(others ($other:path) {
            $(
                $(#[$xm:meta])*
                $xvis:vis $x:ident: $xty:ty,
            )*
        })?
        $(; $($owned:tt)+)?
    ) => {
        $crate::typed_attrs!(@owned_form view_field $Name $lt {
            $( [$field] [$($oty)?] [$($flag)?] [$($wfn)?] [$($C),+] [$($wrap)?] )*
        } $($($owned)+)?);

        $(#[$sm])*
        $vis struct $Name<$lt> {
            /// The family header.
            pub header: &$lt $Header,
            $( $(#[$fm])* $fvis $field: Option<$ty>, )*
            $($( $(#[$xm])* $xvis $x: $xty, )*)?
            attrs: &$lt [u8],
            attrs_at: usize,
        }

        impl<$lt> $Name<$lt> {
            #[doc = concat!("Decodes ", $what, " from its parts: the family header and the attributes")]
            /// (at offset `attrs_at` of their message), for an object that
            /// arrives without a message of its own (nested in another family's).
            #[inline]
            pub fn from_parts(
                header: &$lt $Header,
                attrs: &$lt [u8],
                attrs_at: usize,
            ) -> $crate::wire::Result<Self> {
                let mut v = Self {
                    header,
                    $($field: None,)*
                    $($($x: Default::default(),)*)?
                    attrs,
                    attrs_at,
                };
                let other = $crate::typed_attrs!(@other $($other)?);
                for a in $crate::wire::AttrIter::with_offset(attrs, attrs_at) {
                    let a = a?;
                    match a.kind() {
                        $( $($C)|+ => {
                            // A value that does not read (wrong size) leaves the field
                            // unset and stays in `attrs`: see `malformed_attrs`.
                            if let Ok(x) = $crate::typed_attrs!(@try_read a, $lt, $ty $(, as $wrap)? $(, with $read)?) {
                                v.$field = Some(x);
                            }
                        } )*
                        _ => other(&mut v, a)?,
                    }
                }
                Ok(v)
            }
        }
        $crate::typed_attrs!(@view_common $Name $lt, $Header, $SET, $what, #[inline], "parsing leaves their fields unset instead of failing." {
            $( [$ty] [$($wrap)?] [$($read)?] [$($C),+] )*
        });

    };
    (
        $(#[$sm:meta])*
        $vis:vis struct $Name:ident {
            $(
                $(#[$fm:meta])*
                $fvis:vis $field:ident: $ty:ty $(as $wrap:ident)? = $($C:ident)|+,
            )*
        }
    ) => {
        $(#[$sm])*
        $vis struct $Name {
            $( $(#[$fm])* $fvis $field: Option<$ty>, )*
        }

        impl $Name {
            /// Reads the attributes this struct names from `attrs`; others are skipped.
            pub fn parse_attrs(attrs: $crate::wire::AttrIter<'_>) -> $crate::wire::Result<Self> {
                let mut s = Self { $($field: None,)* };
                for a in attrs {
                    let a = a?;
                    match a.kind() {
                        $( $($C)|+ => {
                            // A value of the wrong size leaves the field unset.
                            let read = |a: $crate::wire::Attr<'_>| -> $crate::wire::Result<$ty> {
                                Ok($crate::typed_attrs!(@read a, $ty $(, as $wrap)?))
                            };
                            if let Ok(x) = read(a) {
                                s.$field = Some(x);
                            }
                        } )*
                        _ => {}
                    }
                }
                Ok(s)
            }

            /// Appends the attributes that are set, in declaration order.
            pub fn write_attrs(&self, w: &mut $crate::wire::MsgWriter<'_>) -> $crate::wire::Result<()> {
                $(
                    if let Some(v) = &self.$field {
                        $crate::typed_attrs!(@write w, v, [$($C),+] $(, $wrap)?);
                    }
                )*
                Ok(())
            }
        }
    };
}
/// Generates a name table for small enumerated values (scopes, route types...):
/// `name(v)` and `parse(s)` (a name or a number).
#[macro_export]
macro_rules! value_names {
    ($(#[$m:meta])* $name_fn:ident, $parse_fn:ident, $T:ty { $( $v:expr => $s:literal, )* }) => {
        $(#[$m])*
        pub fn $name_fn(v: $T) -> Option<&'static str> {
            match v { $( x if x == $v => Some($s), )* _ => None }
        }
        #[doc = concat!("Parses a name as [`", stringify!($name_fn), "`] prints it, or a number.")]
        pub fn $parse_fn(s: &str) -> Option<$T> {
            match s { $( $s => Some($v), )* _ => s.parse::<$T>().ok() }
        }
    };
}

/// Describes a family header from its `#[repr(C)]` zerocopy struct, field
/// by field: the size and every offset come from the struct
/// (`size_of`, `offset_of!`), so the layout is written once.
///
/// ```
/// #[repr(C)]
/// struct Hdr { family: u8, pad: u8, index: u16 }
/// nlkit::fixed_header! {
///     /// `struct hdr`.
///     pub static HDR: Hdr = "hdr" {
///         family => "h_family", U8, Dec;
///         index => "h_index", U16, Hex;
///     }
/// }
/// assert_eq!(HDR.size, 4);
/// assert_eq!(HDR.fields[1].offset, 2);
/// ```
#[macro_export]
macro_rules! fixed_header {
    (
        $(#[$m:meta])*
        $vis:vis static $NAME:ident: $T:ty = $cname:literal {
            $( $field:ident => $fname:literal, $int:ident, $show:ident $(($names:expr))?; )*
        }
    ) => {
        $(#[$m])*
        $vis static $NAME: $crate::schema::FixedHeader = $crate::schema::FixedHeader {
            name: $cname,
            size: ::core::mem::size_of::<$T>(),
            fields: &[$(
                $crate::schema::Field {
                    name: $fname,
                    offset: ::core::mem::offset_of!($T, $field),
                    int: $crate::schema::Int::$int,
                    show: $crate::schema::Show::$show $(($names))?,
                },
            )*],
        };
        // Every field lies inside the struct.
        const _: () = {$(
            assert!(
                ::core::mem::offset_of!($T, $field)
                    + match $crate::schema::Int::$int.size() { Some(n) => n, None => 8 }
                    <= ::core::mem::size_of::<$T>()
            );
        )*};
    };
}

/// Makes C structs that are attribute payloads (`ifa_cacheinfo`,
/// `rta_cacheinfo`) [`AttrValue`](crate::schema::AttrValue)(crate::schema::AttrValue)s: read when the
/// payload is exactly their size, written as their bytes. The types must
/// be zerocopy `FromBytes + IntoBytes + Immutable`.
#[macro_export]
macro_rules! struct_value {
    ($($T:ty),* $(,)?) => {$(
        impl $crate::schema::AttrValue<'_> for $T {
            fn read(a: &$crate::wire::Attr<'_>) -> $crate::wire::Result<Self> {
                $crate::schema::read_struct(a)
            }
            fn write(
                &self,
                w: &mut $crate::wire::MsgWriter<'_>,
                kind: u16,
            ) -> $crate::wire::Result<()> {
                w.attr(kind, $crate::schema::struct_bytes(self)).map(drop)
            }
        }
    )*};
}
