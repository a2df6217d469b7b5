package dev.bulwark.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GlobTest {
    @ParameterizedTest
    @CsvSource({
            "/etc/passwd, PATH, /etc/passwd, ",
            "/etc/*, FILES_IN, /etc/, ",
            "/etc/**, TREE, /etc/, ",
            "/etc/**/*, TREE, /etc/, ",
            "/**, TREE, /, ",
            "/app/*.env, EXTENSION_IN, /app/, .env",
            "/home/**/*.sh, EXTENSION_UNDER, /home/, .sh",
            "/**/*.pem, EXTENSION_UNDER, /, .pem"})
    void supportedFormsAreRecognised(String pattern, Glob.Form form, String directory, String extension) {
        assertEquals(new Glob(form, directory, extension), Glob.parse(pattern));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/home/*/.ssh/id_rsa", "/etc/pass?d", "/etc/*.tar.gz", "/a/**/b/*.c", "/etc/*conf",
            "/etc/x*.conf", "/a*/b", "/etc/*.", "/etc/**.conf"})
    void everyOtherFormIsRejected(String pattern) {
        assertNull(Glob.parse(pattern), pattern);
    }
}
