#include "CXMLShim.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t initialised = PTHREAD_ONCE_INIT;
static void initialise(void) { xmlInitParser(); }

trastienda_xml_document *trastienda_xml_read(char const *bytes, int length, char *error, int error_capacity) {
    pthread_once(&initialised, initialise);
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr document = xmlReadMemory(bytes, length, "document.xml", "UTF-8", options);
    if (document == NULL && error != NULL && error_capacity > 0) {
        xmlErrorPtr last = xmlGetLastError();
        snprintf(error, (size_t)error_capacity, "%s", last != NULL && last->message != NULL ? last->message : "not well-formed");
    }
    return (trastienda_xml_document *)document;
}

void trastienda_xml_free_document(trastienda_xml_document *document) { xmlFreeDoc((xmlDocPtr)document); }

trastienda_xml_node const *trastienda_xml_root(trastienda_xml_document const *document) {
    return (trastienda_xml_node const *)xmlDocGetRootElement((xmlDoc const *)document);
}

enum trastienda_xml_kind trastienda_xml_node_kind(trastienda_xml_node const *node) {
    switch (((xmlNode const *)node)->type) {
    case XML_ELEMENT_NODE: return TRASTIENDA_XML_ELEMENT;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE: return TRASTIENDA_XML_TEXT;
    default: return TRASTIENDA_XML_OTHER;
    }
}

char const *trastienda_xml_node_name(trastienda_xml_node const *node) {
    return (char const *)((xmlNode const *)node)->name;
}

char const *trastienda_xml_node_namespace(trastienda_xml_node const *node) {
    xmlNs const *ns = ((xmlNode const *)node)->ns;
    return ns != NULL ? (char const *)ns->href : NULL;
}

char const *trastienda_xml_node_text(trastienda_xml_node const *node) {
    return (char const *)((xmlNode const *)node)->content;
}

trastienda_xml_node const *trastienda_xml_first_child(trastienda_xml_node const *node) {
    return (trastienda_xml_node const *)((xmlNode const *)node)->children;
}

trastienda_xml_node const *trastienda_xml_next_sibling(trastienda_xml_node const *node) {
    return (trastienda_xml_node const *)((xmlNode const *)node)->next;
}

trastienda_xml_attribute const *trastienda_xml_first_attribute(trastienda_xml_node const *element) {
    return (trastienda_xml_attribute const *)((xmlNode const *)element)->properties;
}

trastienda_xml_attribute const *trastienda_xml_next_attribute(trastienda_xml_attribute const *attribute) {
    return (trastienda_xml_attribute const *)((xmlAttr const *)attribute)->next;
}

char const *trastienda_xml_attribute_name(trastienda_xml_attribute const *attribute) {
    return (char const *)((xmlAttr const *)attribute)->name;
}

char *trastienda_xml_attribute_value(trastienda_xml_attribute const *attribute) {
    xmlAttr const *attr = (xmlAttr const *)attribute;
    return (char *)xmlNodeListGetString(attr->doc, attr->children, 1);
}

void trastienda_xml_free_text(char *text) {
    if (text != NULL) xmlFree(text);
}

trastienda_xml_schema *trastienda_xml_schema_read(char const *path) {
    pthread_once(&initialised, initialise);
    xmlSchemaParserCtxtPtr context = xmlSchemaNewParserCtxt(path);
    if (context == NULL) return NULL;
    xmlSchemaPtr schema = xmlSchemaParse(context);
    xmlSchemaFreeParserCtxt(context);
    return (trastienda_xml_schema *)schema;
}

void trastienda_xml_schema_free(trastienda_xml_schema *schema) { xmlSchemaFree((xmlSchemaPtr)schema); }

struct complaint_sink {
    trastienda_xml_complaint complaint;
    void *context;
};

static void forward_complaint(void *data, xmlErrorPtr error) {
    struct complaint_sink const *sink = data;
    if (error == NULL || error->message == NULL) return;
    sink->complaint(sink->context, error->line, error->message);
}

int trastienda_xml_schema_validate(trastienda_xml_schema *schema, trastienda_xml_node const *element,
                                   trastienda_xml_complaint complaint, void *context) {
    xmlSchemaValidCtxtPtr validation = xmlSchemaNewValidCtxt((xmlSchemaPtr)schema);
    if (validation == NULL) return -1;
    struct complaint_sink sink = {complaint, context};
    xmlSchemaSetValidStructuredErrors(validation, forward_complaint, &sink);
    int result = xmlSchemaValidateOneElement(validation, (xmlNodePtr)element);
    xmlSchemaFreeValidCtxt(validation);
    return result;
}
