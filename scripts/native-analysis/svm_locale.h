/* Stand-in for GraalVM's svm_locale.h (not on Maven Central): the layout the builder's C queries ask about. */
typedef struct svm_locale_props {
    char *display_language, *display_script, *display_country, *display_variant;
    char *format_language, *format_script, *format_country, *format_variant;
} svm_locale_props_t;
#define SVM_LOCALE_INITIALIZATION_SUCCEEDED 0
#define SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY 1
