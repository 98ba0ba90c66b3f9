#ifndef TRASTIENDA_CXML_SHIM_PUBLIC_H
#define TRASTIENDA_CXML_SHIM_PUBLIC_H
// libxml2 behind opaque handles. Its own headers stay out of Swift's sight: they include ICU's, whose types clash with
// the copy of ICU that Foundation carries in any module that sees both.

typedef struct trastienda_xml_document trastienda_xml_document;
typedef struct trastienda_xml_node trastienda_xml_node;
typedef struct trastienda_xml_attribute trastienda_xml_attribute;
typedef struct trastienda_xml_schema trastienda_xml_schema;

enum trastienda_xml_kind { TRASTIENDA_XML_OTHER = 0, TRASTIENDA_XML_ELEMENT = 1, TRASTIENDA_XML_TEXT = 2 };

/// Reads a document from memory, fetching nothing (no network, no DTD, entities left unexpanded). NULL when it is
/// not well-formed, with libxml2's reason copied into `error`.
trastienda_xml_document *trastienda_xml_read(char const *bytes, int length, char *error, int error_capacity);
void trastienda_xml_free_document(trastienda_xml_document *document);
trastienda_xml_node const *trastienda_xml_root(trastienda_xml_document const *document);

/// An element, a text (text or CDATA section) or anything else.
enum trastienda_xml_kind trastienda_xml_node_kind(trastienda_xml_node const *node);
char const *trastienda_xml_node_name(trastienda_xml_node const *node);
/// The element's namespace URI, or NULL.
char const *trastienda_xml_node_namespace(trastienda_xml_node const *node);
/// A text's characters, or NULL.
char const *trastienda_xml_node_text(trastienda_xml_node const *node);
trastienda_xml_node const *trastienda_xml_first_child(trastienda_xml_node const *node);
trastienda_xml_node const *trastienda_xml_next_sibling(trastienda_xml_node const *node);

trastienda_xml_attribute const *trastienda_xml_first_attribute(trastienda_xml_node const *element);
trastienda_xml_attribute const *trastienda_xml_next_attribute(trastienda_xml_attribute const *attribute);
char const *trastienda_xml_attribute_name(trastienda_xml_attribute const *attribute);
/// The attribute's value, allocated: give it back with `trastienda_xml_free_text`.
char *trastienda_xml_attribute_value(trastienda_xml_attribute const *attribute);
void trastienda_xml_free_text(char *text);

/// Reads an XML Schema and what it imports from local files. NULL when it cannot be read or does not parse.
trastienda_xml_schema *trastienda_xml_schema_read(char const *path);
void trastienda_xml_schema_free(trastienda_xml_schema *schema);

/// Called once per complaint of the validator, with its line and message.
typedef void (*trastienda_xml_complaint)(void *context, int line, char const *message);
/// Validates `element` and its subtree; 0 when valid. Not to be called on one schema from two threads at once.
int trastienda_xml_schema_validate(trastienda_xml_schema *schema, trastienda_xml_node const *element,
                                   trastienda_xml_complaint complaint, void *context);

#endif
